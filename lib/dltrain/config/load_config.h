// Loading an experiment config: YAML file (or text) + --set overrides -> validated ExperimentConfig.
// Every problem is a dltrain::ConfigError (exit code 2) with a one-line message naming where.
#pragma once

#include "dltrain/config/experiment_config.h"

#include <string>
#include <vector>

namespace dltrain::config {

// Reads `path`, applies `overrides` ("key.path=value", in order) and validates the result.
// `name` defaults to the file's stem; source_path records `path`.
ExperimentConfig load_config(const std::string& path, const std::vector<std::string>& overrides = {});

// The same for YAML text; `display_name` stands for the file in messages and gives the default name.
ExperimentConfig load_config_from_string(const std::string& yaml_text, const std::string& display_name,
                                         const std::vector<std::string>& overrides = {});

}  // namespace dltrain::config
