// EfficientNet (Tan & Le 2019) with torchvision's names: features.0 stem, features.1-7 stages of
// MBConv blocks (`block`: 1x1 expand, depthwise, squeeze-and-excitation fc1/fc2, 1x1 projection),
// features.8 1x1 conv to 4x320, classifier.1 linear. Width and depth multipliers scale the b0
// table; stochastic depth grows linearly to `stochastic_depth` over the blocks. Activation: SiLU.
#include <torch/torch.h>

#include <algorithm>
#include <cmath>

#include "dltrain/models/dropout.h"
#include "dltrain/models/layers.h"
#include "dltrain/models/model_families.h"
#include "dltrain/models/residual.h"
#include "dltrain/models/squeeze_excitation.h"

namespace dltrain::models {
namespace {

struct MbConvStage {
  int64_t expand_ratio, kernel, stride, in_channels, out_channels, repeats;
};

constexpr MbConvStage kB0[] = {{1, 3, 1, 32, 16, 1},  {6, 3, 2, 16, 24, 2},   {6, 5, 2, 24, 40, 2},
                                {6, 3, 2, 40, 80, 3},  {6, 5, 1, 80, 112, 3},  {6, 5, 2, 112, 192, 4},
                                {6, 3, 1, 192, 320, 1}};

torch::nn::AnyModule mbconv(int64_t in, int64_t out, const MbConvStage& s, int64_t stride, double drop_path,
                            const NormSpec& norm, const std::string& activation) {
  const int64_t expanded = make_divisible(static_cast<double>(in * s.expand_ratio));
  Chain block;
  if (expanded != in) block->add("0", conv_norm_activation(in, expanded, 1, 1, 1, norm, activation));
  block->add(std::to_string(block->size()),
             conv_norm_activation(expanded, expanded, s.kernel, stride, expanded, norm, activation));
  block->add(std::to_string(block->size()),
             SqueezeExcitation(expanded, std::max<int64_t>(1, in / 4), make_activation(activation)));
  block->add(std::to_string(block->size()), conv_norm_activation(expanded, out, 1, 1, 1, norm, ""));
  if (stride == 1 && in == out) {
    Residual unit;
    unit->add("block", block);
    unit->drop_path(drop_path);
    return torch::nn::AnyModule(unit);
  }
  Chain unit;
  unit->add("block", block);
  return torch::nn::AnyModule(unit);
}

}  // namespace

std::shared_ptr<Network> build_efficientnet(const config::ModelConfig& config, const ModelInput& input) {
  require_image_input("efficientnet", input);
  const std::string activation = resolve_activation(config.activation, "silu");
  const NormSpec norm{config.norm, config.norm_groups};
  const bool small = config.stem == "small" ||
                     (config.stem == "auto" && std::min(input.input_shape[1], input.input_shape[2]) < 64);
  auto width = [&](int64_t channels) { return make_divisible(channels * config.width_multiplier); };
  auto depth = [&](int64_t repeats) {
    return static_cast<int64_t>(std::ceil(static_cast<double>(repeats) * config.depth_multiplier));
  };

  int64_t total_blocks = 0, block_id = 0;
  for (const auto& stage : kB0) total_blocks += depth(stage.repeats);
  Chain features;
  features->add("0", conv_norm_activation(input.input_shape[0], width(kB0[0].in_channels), 3, small ? 1 : 2, 1,
                                          norm, activation));
  for (const auto& stage : kB0) {
    Chain blocks;
    for (int64_t j = 0; j < depth(stage.repeats); ++j) {
      const double drop_path = config.stochastic_depth * static_cast<double>(block_id++) / total_blocks;
      const int64_t in = j == 0 ? width(stage.in_channels) : width(stage.out_channels);
      blocks->add(std::to_string(j), mbconv(in, width(stage.out_channels), stage, j == 0 ? stage.stride : 1,
                                            drop_path, norm, activation));
    }
    features->add(std::to_string(features->size()), blocks);
  }
  const int64_t last_in = width(kB0[6].out_channels), last_out = 4 * last_in;
  features->add(std::to_string(features->size()), conv_norm_activation(last_in, last_out, 1, 1, 1, norm, activation));

  auto model = std::make_shared<ChainImpl>();
  model->add("features", features);
  model->add("avgpool", torch::nn::AdaptiveAvgPool2d(1));
  model->add("flatten", torch::nn::Flatten());
  Chain classifier;
  classifier->add("0", Dropout(config.dropout));
  classifier->add("1", torch::nn::Linear(last_out, input.num_classes));
  model->add("classifier", classifier);

  init_convs_fan_out(*model);
  torch::NoGradGuard no_grad;
  auto& head = *classifier->layers()[1].second.ptr()->as<torch::nn::LinearImpl>();
  const double range = 1.0 / std::sqrt(static_cast<double>(input.num_classes));
  torch::nn::init::uniform_(head.weight, -range, range);
  head.bias.zero_();
  return model;
}

}  // namespace dltrain::models
