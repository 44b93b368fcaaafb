// --set overrides: "key.path=value" strings applied, in order, to the parsed YAML tree before
// it is read, so an override is judged by exactly the same rules as the file.
#pragma once

#include "dltrain/config/origin.h"

#include <yaml-cpp/yaml.h>

#include <string>
#include <vector>

namespace dltrain::config {

// A node an override put into the tree; errors found in or under it name the override.
struct OverriddenNode {
  YAML::Node node;
  Origin origin;  // source "--set key.path=value", no position
};

// Applies each override to `root` (a map). The value is read as YAML, so `lr=0.01` is a number
// and `mean=[0.5]` a list; `mean[0]=0.5` sets one element. Missing map keys are created (the
// reader then rejects unknown ones); indexing a list the file leaves out indexes its default
// from `defaults` (the resolved dump of a default config). Throws ConfigError naming the
// override for a malformed one, an index out of range, or indexing something not a list.
std::vector<OverriddenNode> apply_overrides(YAML::Node root, const std::vector<std::string>& overrides,
                                            const YAML::Node& defaults);

}  // namespace dltrain::config
