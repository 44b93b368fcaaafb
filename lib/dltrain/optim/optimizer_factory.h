// Builds the optimizer named by `optimizer.type` over a model's parameters.
#pragma once

#include <torch/optim/optimizer.h>

#include <memory>
#include <string>
#include <vector>

#include "dltrain/config/experiment_config.h"

namespace dltrain::optim {

std::unique_ptr<torch::optim::Optimizer> build_optimizer(const config::OptimizerConfig& config,
                                                         const std::vector<torch::Tensor>& parameters);

// The learning rate of the first parameter group (all groups share it until schedules arrive).
double current_lr(torch::optim::Optimizer& optimizer);

// Sets every group's learning rate.
void set_lr(torch::optim::Optimizer& optimizer, double lr);

}  // namespace dltrain::optim
