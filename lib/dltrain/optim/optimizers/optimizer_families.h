// The optimizer builders registered in optimizer_factory.cpp, and the group plumbing they share.
// Each builder lives in its own file next to this header.
#pragma once

#include <torch/optim.h>

#include <memory>
#include <vector>

#include "dltrain/config/experiment_config.h"
#include "dltrain/optim/param_groups.h"

namespace dltrain::optim {

using OptimizerBuilder = std::unique_ptr<torch::optim::Optimizer> (*)(const config::OptimizerConfig&,
                                                                      const std::vector<ParamGroupPlan>&);

std::unique_ptr<torch::optim::Optimizer> build_sgd(const config::OptimizerConfig&, const std::vector<ParamGroupPlan>&);
std::unique_ptr<torch::optim::Optimizer> build_adam(const config::OptimizerConfig&, const std::vector<ParamGroupPlan>&);
std::unique_ptr<torch::optim::Optimizer> build_adamw(const config::OptimizerConfig&, const std::vector<ParamGroupPlan>&);
std::unique_ptr<torch::optim::Optimizer> build_rmsprop(const config::OptimizerConfig&,
                                                       const std::vector<ParamGroupPlan>&);
std::unique_ptr<torch::optim::Optimizer> build_adagrad(const config::OptimizerConfig&,
                                                       const std::vector<ParamGroupPlan>&);

// Every group gets a complete options object (LibTorch takes every field from a group's own
// options, not from the defaults), made by `make(lr, weight_decay)`.
template <class Optim, class Options, class Make>
std::unique_ptr<torch::optim::Optimizer> with_groups(const std::vector<ParamGroupPlan>& groups, Make make) {
  std::vector<torch::optim::OptimizerParamGroup> param_groups;
  for (const auto& group : groups)
    param_groups.emplace_back(group.params, std::make_unique<Options>(make(group.lr, group.weight_decay)));
  const Options defaults = groups.empty() ? make(1e-3, 0.0) : make(groups.front().lr, groups.front().weight_decay);
  return std::make_unique<Optim>(std::move(param_groups), defaults);
}

}  // namespace dltrain::optim
