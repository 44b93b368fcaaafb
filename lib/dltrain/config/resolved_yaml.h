// The resolved config as YAML: every key of every section, defaults filled in, in schema order.
// Loading it back gives an equal config, which is what makes a run directory's config.yaml
// reproduce the run.
#pragma once

#include "dltrain/config/experiment_config.h"

#include <string>

namespace dltrain::config {

std::string to_yaml(const ExperimentConfig& config);

}  // namespace dltrain::config
