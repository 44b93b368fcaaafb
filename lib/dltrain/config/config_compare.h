// Field-by-field comparison of configs, driven by the schema so it never misses a new key.
// source_path is not a key and is not compared.
#pragma once

#include "dltrain/config/experiment_config.h"

#include <string>
#include <vector>

namespace dltrain::config {

// The dotted keys whose values differ, in schema order; empty when the configs are equal.
std::vector<std::string> differing_keys(const ExperimentConfig& a, const ExperimentConfig& b);

bool operator==(const ExperimentConfig& a, const ExperimentConfig& b);
bool operator!=(const ExperimentConfig& a, const ExperimentConfig& b);

}  // namespace dltrain::config
