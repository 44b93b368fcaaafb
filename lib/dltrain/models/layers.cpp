// Name -> layer tables; the config schema validates names, these throw only on a schema gap.
#include "dltrain/models/layers.h"

#include <torch/torch.h>

#include "dltrain/core/error.h"

namespace dltrain::models {

torch::nn::AnyModule make_activation(const std::string& name) {
  namespace nn = torch::nn;
  if (name == "relu") return nn::AnyModule(nn::ReLU());
  if (name == "leaky_relu") return nn::AnyModule(nn::LeakyReLU(nn::LeakyReLUOptions().negative_slope(0.01)));
  if (name == "elu") return nn::AnyModule(nn::ELU());
  if (name == "gelu") return nn::AnyModule(nn::GELU());
  if (name == "silu") return nn::AnyModule(nn::SiLU());
  if (name == "tanh") return nn::AnyModule(nn::Tanh());
  if (name == "sigmoid") return nn::AnyModule(nn::Sigmoid());
  throw ConfigError("model.activation: unknown activation \"" + name + "\"");
}

torch::nn::AnyModule make_norm2d(const std::string& name, int64_t channels) {
  if (name == "batch") return torch::nn::AnyModule(torch::nn::BatchNorm2d(channels));
  if (name == "none") return {};
  throw ConfigError("model.norm: unknown normalization \"" + name + "\"");
}

torch::nn::AnyModule make_norm1d(const std::string& name, int64_t features) {
  if (name == "batch") return torch::nn::AnyModule(torch::nn::BatchNorm1d(features));
  if (name == "none") return {};
  throw ConfigError("model.norm: unknown normalization \"" + name + "\"");
}

}  // namespace dltrain::models
