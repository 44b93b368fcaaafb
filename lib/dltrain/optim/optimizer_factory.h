// Builds the optimizer named by `optimizer.type` over a model's parameters, split into the
// parameter groups of param_groups.h.
#pragma once

#include <torch/optim/optimizer.h>

#include <memory>
#include <string>
#include <vector>

#include "dltrain/config/experiment_config.h"
#include "dltrain/optim/param_groups.h"

namespace torch::nn {
class Module;
}

namespace dltrain::optim {

struct BuiltOptimizer {
  std::unique_ptr<torch::optim::Optimizer> optimizer;
  std::vector<ParamGroupPlan> groups;  // one per optimizer param group, same order
};

BuiltOptimizer build_optimizer(const config::OptimizerConfig& config, const NamedParameters& parameters);
// Over `model.named_parameters()`.
BuiltOptimizer build_optimizer(const config::OptimizerConfig& config, torch::nn::Module& model);

// Unnamed parameters (named "0", "1", ...): patterns cannot select them, the no-decay rule still applies.
std::unique_ptr<torch::optim::Optimizer> build_optimizer(const config::OptimizerConfig& config,
                                                         const std::vector<torch::Tensor>& parameters);

// The learning rate of the first parameter group (the default group).
double current_lr(torch::optim::Optimizer& optimizer);

// Every group's learning rate, in group order.
std::vector<double> group_lrs(torch::optim::Optimizer& optimizer);

// Sets every group's learning rate.
void set_lr(torch::optim::Optimizer& optimizer, double lr);

}  // namespace dltrain::optim
