// Limits on YAML input that yaml-cpp does not enforce itself, checked before the config is read.
#pragma once

#include <yaml-cpp/yaml.h>

#include <string>

namespace dltrain::config {

// Runs yaml-cpp's parser over `text` counting its events, and stops it (ConfigError at the last
// position reached) when a malformed document makes it produce more events than the text can
// hold: yaml-cpp 0.7 loops forever, allocating, on some broken flow collections.
void check_parser_terminates(const std::string& text, const std::string& source);

// Aliases share nodes, so a few lines can stand for billions of them ("billion laughs"), and
// reading such a tree would never end. Counts nodes as a reader meets them; ConfigError past
// a budget no real config comes near.
void check_expanded_size(const YAML::Node& root, const std::string& source);

}  // namespace dltrain::config
