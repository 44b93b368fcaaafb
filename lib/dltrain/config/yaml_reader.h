// Reads a YAML tree into an ExperimentConfig by walking the schema: types, ranges, choices,
// cross-key rules, unknown and missing keys, each reported with where the value came from.
#pragma once

#include "dltrain/config/experiment_config.h"
#include "dltrain/config/overrides.h"

#include <yaml-cpp/yaml.h>

#include <string>
#include <vector>

namespace dltrain::config {

// Fills `config` from `root`, a map; keys not in the tree keep the values `config` holds.
// `source` names the file in messages; nodes listed in `overridden` are named by their override.
void read_config(const YAML::Node& root, const std::string& source,
                 const std::vector<OverriddenNode>& overridden, ExperimentConfig& config);

// What a message says was found: 1.5, "fast", null, a list, a map.
std::string found_text(const YAML::Node& node);

}  // namespace dltrain::config
