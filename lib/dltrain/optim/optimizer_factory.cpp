// Optimizer table: a new optimizer is one entry here plus its keys in the config schema.
#include "dltrain/optim/optimizer_factory.h"

#include <torch/torch.h>

#include "dltrain/core/error.h"

namespace dltrain::optim {
namespace {

using Factory = std::unique_ptr<torch::optim::Optimizer> (*)(const config::OptimizerConfig&,
                                                             const std::vector<torch::Tensor>&);

std::unique_ptr<torch::optim::Optimizer> make_sgd(const config::OptimizerConfig& c,
                                                  const std::vector<torch::Tensor>& params) {
  auto options = torch::optim::SGDOptions(c.lr).momentum(c.momentum).nesterov(c.nesterov).weight_decay(c.weight_decay);
  return std::make_unique<torch::optim::SGD>(params, options);
}

std::unique_ptr<torch::optim::Optimizer> make_adam(const config::OptimizerConfig& c,
                                                   const std::vector<torch::Tensor>& params) {
  auto options = torch::optim::AdamOptions(c.lr)
                     .betas(std::make_tuple(c.betas.at(0), c.betas.at(1)))
                     .eps(c.eps)
                     .weight_decay(c.weight_decay);
  return std::make_unique<torch::optim::Adam>(params, options);
}

struct Entry {
  const char* type;
  Factory make;
};

constexpr Entry kOptimizers[] = {
    {"sgd", make_sgd},
    {"adam", make_adam},
};

}  // namespace

std::unique_ptr<torch::optim::Optimizer> build_optimizer(const config::OptimizerConfig& config,
                                                         const std::vector<torch::Tensor>& parameters) {
  for (const auto& entry : kOptimizers) {
    if (config.type == entry.type) return entry.make(config, parameters);
  }
  throw ConfigError("optimizer.type: unknown optimizer \"" + config.type + "\"; expected sgd or adam");
}

double current_lr(torch::optim::Optimizer& optimizer) {
  return optimizer.param_groups().front().options().get_lr();
}

void set_lr(torch::optim::Optimizer& optimizer, double lr) {
  for (auto& group : optimizer.param_groups()) group.options().set_lr(lr);
}

}  // namespace dltrain::optim
