// Splits a model's named parameters into optimizer groups: optimizer.param_groups patterns
// first (first match wins), then the rest; inside each, 1-D tensors (biases, normalization
// scales/shifts) get no weight decay unless optimizer.decay_norm_and_bias is set.
#pragma once

#include <torch/types.h>

#include <string>
#include <utility>
#include <vector>

#include "dltrain/config/experiment_config.h"

namespace dltrain::optim {

struct ParamGroupPlan {
  std::string label;                 // for the log: "default", "fc.* (no decay)"
  std::vector<std::string> names;    // parameter names, in model order
  std::vector<torch::Tensor> params;
  double lr = 0.0;
  double weight_decay = 0.0;
  int pattern = -1;  // index into optimizer.param_groups; -1 = the default group
};

// The optimizer group index holding each optimizer.param_groups entry's parameters (its lr is
// logged as lr/group<i+1>).
std::vector<std::size_t> pattern_group_indices(const std::vector<ParamGroupPlan>& groups, std::size_t patterns);

using NamedParameters = std::vector<std::pair<std::string, torch::Tensor>>;

// Empty groups are dropped. Throws ConfigError when a pattern matches no parameter (a typo).
std::vector<ParamGroupPlan> plan_param_groups(const config::OptimizerConfig& config, const NamedParameters& params);

// fnmatch-style glob: '*' any run of characters (dots included), '?' one character.
bool glob_match(const std::string& pattern, const std::string& text);

}  // namespace dltrain::optim
