// The optimizer registry: a new optimizer is one file in optimizers/ plus one line in kOptimizers
// (and its option keys in the config schema).
#include "dltrain/optim/optimizer_factory.h"

#include <torch/torch.h>

#include "dltrain/core/registry.h"
#include "dltrain/optim/optimizers/optimizer_families.h"

namespace dltrain::optim {
namespace {

constexpr RegistryEntry<OptimizerBuilder> kOptimizers[] = {
    {"sgd", build_sgd},         {"adam", build_adam},       {"adamw", build_adamw},
    {"rmsprop", build_rmsprop}, {"adagrad", build_adagrad},
};

}  // namespace

BuiltOptimizer build_optimizer(const config::OptimizerConfig& config, const NamedParameters& parameters) {
  const OptimizerBuilder build = find_builder(kOptimizers, config.type, "optimizer.type");
  BuiltOptimizer built;
  built.groups = plan_param_groups(config, parameters);
  built.optimizer = build(config, built.groups);
  return built;
}

BuiltOptimizer build_optimizer(const config::OptimizerConfig& config, torch::nn::Module& model) {
  NamedParameters named;
  for (const auto& item : model.named_parameters()) named.emplace_back(item.key(), item.value());
  return build_optimizer(config, named);
}

std::unique_ptr<torch::optim::Optimizer> build_optimizer(const config::OptimizerConfig& config,
                                                         const std::vector<torch::Tensor>& parameters) {
  NamedParameters named;
  for (std::size_t i = 0; i < parameters.size(); ++i) named.emplace_back(std::to_string(i), parameters[i]);
  return build_optimizer(config, named).optimizer;
}

double current_lr(torch::optim::Optimizer& optimizer) {
  return optimizer.param_groups().front().options().get_lr();
}

std::vector<double> group_lrs(torch::optim::Optimizer& optimizer) {
  std::vector<double> lrs;
  for (auto& group : optimizer.param_groups()) lrs.push_back(group.options().get_lr());
  return lrs;
}

void set_lr(torch::optim::Optimizer& optimizer, double lr) {
  for (auto& group : optimizer.param_groups()) group.options().set_lr(lr);
}

}  // namespace dltrain::optim
