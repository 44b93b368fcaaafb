// Name -> layer tables; the config schema validates names, these throw only on a schema gap or
// on a combination the schema cannot see (groups that do not divide the channels).
#include "dltrain/models/layers.h"

#include <torch/torch.h>

#include "dltrain/config/experiment_config.h"
#include "dltrain/core/error.h"
#include "dltrain/models/sync_batchnorm.h"

namespace dltrain::models {

torch::nn::AnyModule make_activation(const std::string& name) {
  namespace nn = torch::nn;
  if (name == "relu") return nn::AnyModule(nn::ReLU());
  if (name == "relu6") return nn::AnyModule(nn::ReLU6());
  if (name == "leaky_relu") return nn::AnyModule(nn::LeakyReLU(nn::LeakyReLUOptions().negative_slope(0.01)));
  if (name == "elu") return nn::AnyModule(nn::ELU());
  if (name == "gelu") return nn::AnyModule(nn::GELU());
  if (name == "silu") return nn::AnyModule(nn::SiLU());
  if (name == "tanh") return nn::AnyModule(nn::Tanh());
  if (name == "sigmoid") return nn::AnyModule(nn::Sigmoid());
  throw ConfigError("model.activation: unknown activation \"" + name + "\"");
}

bool commutes_with_max_pool(const std::string& activation) {
  // GELU and SiLU dip below zero and are not monotonic; tanh and sigmoid saturate to equal
  // float values with different slopes, so their argmax (and gradient) could move.
  return activation == "relu" || activation == "relu6" || activation == "leaky_relu" || activation == "elu";
}

std::string resolve_activation(const std::string& configured, const char* family_standard) {
  // auto (the default) is the family's own: ReLU for mlp/cnn/resnet, ReLU6 for mobilenet_v2,
  // SiLU for efficientnet, so the presets match their papers unless the user picks another.
  return configured == "auto" ? family_standard : configured;
}

namespace {

torch::nn::GroupNorm group_norm(int64_t groups, int64_t channels) {
  if (channels % groups != 0) {
    throw ConfigError("model.norm_groups: " + std::to_string(groups) + " groups do not divide a layer of " +
                      std::to_string(channels) + " channels; choose a divisor of every layer's width");
  }
  return torch::nn::GroupNorm(torch::nn::GroupNormOptions(groups, channels));
}

}  // namespace

torch::nn::AnyModule batch_norm(int64_t channels, bool maps) {
  namespace nn = torch::nn;
  if (const RankSum* sum = sync_batchnorm_sum()) return nn::AnyModule(SyncBatchNorm(channels, *sum));
  return maps ? nn::AnyModule(nn::BatchNorm2d(channels)) : nn::AnyModule(nn::BatchNorm1d(channels));
}

torch::nn::AnyModule make_norm2d(const NormSpec& norm, int64_t channels) {
  namespace nn = torch::nn;
  if (norm.type == "batch") return batch_norm(channels, /*maps=*/true);
  if (norm.type == "group") return nn::AnyModule(group_norm(norm.groups, channels));
  if (norm.type == "layer") return nn::AnyModule(group_norm(1, channels));
  if (norm.type == "instance") return nn::AnyModule(nn::InstanceNorm2d(nn::InstanceNorm2dOptions(channels).affine(true)));
  if (norm.type == "none") return {};
  throw ConfigError("model.norm: unknown normalization \"" + norm.type + "\"");
}

torch::nn::AnyModule make_norm1d(const NormSpec& norm, int64_t features) {
  namespace nn = torch::nn;
  if (norm.type == "batch") return batch_norm(features, /*maps=*/false);
  if (norm.type == "layer") return nn::AnyModule(nn::LayerNorm(nn::LayerNormOptions({features})));
  if (norm.type == "group") return nn::AnyModule(group_norm(norm.groups, features));
  if (norm.type == "none") return {};
  if (norm.type == "instance") {
    throw ConfigError("model.norm: instance normalization needs feature maps; this model normalizes feature "
                      "vectors, use batch, layer or group");
  }
  throw ConfigError("model.norm: unknown normalization \"" + norm.type + "\"");
}

Chain conv_norm_activation(int64_t in_channels, int64_t out_channels, int64_t kernel, int64_t stride,
                           int64_t groups, const NormSpec& norm, const std::string& activation) {
  Chain unit;
  auto options = torch::nn::Conv2dOptions(in_channels, out_channels, kernel)
                     .stride(stride)
                     .padding((kernel - 1) / 2)
                     .groups(groups)
                     .bias(norm.type == "none");
  unit->add("0", torch::nn::Conv2d(options));
  if (auto layer = make_norm2d(norm, out_channels); !layer.is_empty()) unit->add(std::to_string(unit->size()), std::move(layer));
  if (!activation.empty()) unit->add(std::to_string(unit->size()), make_activation(activation));
  return unit;
}

}  // namespace dltrain::models
