// MobileNetV2 (Sandler et al. 2018) with torchvision's names: features.0 stem, features.1-17
// inverted residuals (`conv`: 1x1 expand, 3x3 depthwise, 1x1 linear projection + norm),
// features.18 1x1 conv to 1280, classifier.1 linear. `activation: auto` is ReLU6.
#include <torch/torch.h>

#include <algorithm>
#include <cmath>

#include "dltrain/models/dropout.h"
#include "dltrain/models/layers.h"
#include "dltrain/models/model_families.h"
#include "dltrain/models/residual.h"

namespace dltrain::models {
namespace {

struct InvertedResidualStage {
  int64_t expand_ratio, channels, repeats, stride;
};

constexpr InvertedResidualStage kStages[] = {{1, 16, 1, 1},  {6, 24, 2, 2},  {6, 32, 3, 2}, {6, 64, 4, 2},
                                    {6, 96, 3, 1},  {6, 160, 3, 2}, {6, 320, 1, 1}};

torch::nn::AnyModule inverted_residual(int64_t in, int64_t out, int64_t stride, int64_t expand_ratio,
                                       const NormSpec& norm, const std::string& activation) {
  const int64_t hidden = in * expand_ratio;
  Chain conv;
  if (expand_ratio != 1) conv->add("0", conv_norm_activation(in, hidden, 1, 1, 1, norm, activation));
  conv->add(std::to_string(conv->size()), conv_norm_activation(hidden, hidden, 3, stride, hidden, norm, activation));
  conv->add(std::to_string(conv->size()),
            torch::nn::Conv2d(torch::nn::Conv2dOptions(hidden, out, 1).bias(norm.type == "none")));
  if (auto layer = make_norm2d(norm, out); !layer.is_empty()) conv->add(std::to_string(conv->size()), std::move(layer));
  if (stride == 1 && in == out) {
    Residual block;
    block->add("conv", conv);
    return torch::nn::AnyModule(block);
  }
  Chain block;
  block->add("conv", conv);
  return torch::nn::AnyModule(block);
}

}  // namespace

std::shared_ptr<Network> build_mobilenet_v2(const config::ModelConfig& config, const ModelInput& input) {
  require_image_input("mobilenet_v2", input);
  const std::string activation = resolve_activation(config.activation, "relu6");
  const NormSpec norm{config.norm, config.norm_groups};
  const double w = config.width_multiplier;
  const bool small = config.stem == "small" ||
                     (config.stem == "auto" && std::min(input.input_shape[1], input.input_shape[2]) < 64);

  int64_t channels = make_divisible(32 * w);
  const int64_t last_channels = make_divisible(1280 * std::max(1.0, w));
  Chain features;
  features->add("0", conv_norm_activation(input.input_shape[0], channels, 3, small ? 1 : 2, 1, norm, activation));
  for (const auto& stage : kStages) {
    const int64_t out = make_divisible(stage.channels * w);
    for (int64_t i = 0; i < stage.repeats; ++i) {
      features->add(std::to_string(features->size()),
                    inverted_residual(channels, out, i == 0 ? stage.stride : 1, stage.expand_ratio, norm, activation));
      channels = out;
    }
  }
  features->add(std::to_string(features->size()),
                conv_norm_activation(channels, last_channels, 1, 1, 1, norm, activation));

  auto model = std::make_shared<ChainImpl>();
  model->add("features", features);
  model->add("pool", torch::nn::AdaptiveAvgPool2d(1));
  model->add("flatten", torch::nn::Flatten());
  Chain classifier;
  classifier->add("0", Dropout(config.dropout));
  classifier->add("1", torch::nn::Linear(last_channels, input.num_classes));
  model->add("classifier", classifier);

  init_convs_fan_out(*model);
  torch::NoGradGuard no_grad;
  auto& head = *classifier->layers()[1].second.ptr()->as<torch::nn::LinearImpl>();
  torch::nn::init::normal_(head.weight, 0.0, 0.01);
  head.bias.zero_();
  return model;
}

}  // namespace dltrain::models
