// ResNet (He et al. 2016) with torchvision's names: conv1, bn1, layer1..4 of basic or bottleneck
// (v1.5: stride on the 3x3) blocks with `downsample` projections, avgpool, fc. resnet18/34/50
// are presets of block type and depth; a small-image stem (3x3/1, no max-pool) suits 28-32 px.
#include <torch/torch.h>

#include <cmath>

#include "dltrain/core/error.h"
#include "dltrain/models/dropout.h"
#include "dltrain/models/layers.h"
#include "dltrain/models/model_families.h"
#include "dltrain/models/residual.h"

namespace dltrain::models {
namespace {

struct BlockPlan {
  bool bottleneck = false;
  int64_t in_channels = 0, width = 0, stride = 1;
  double drop_path = 0.0;
};

torch::nn::Conv2d conv(int64_t in, int64_t out, int64_t kernel, int64_t stride, const NormSpec& norm) {
  return torch::nn::Conv2d(
      torch::nn::Conv2dOptions(in, out, kernel).stride(stride).padding(kernel / 2).bias(norm.type == "none"));
}

void add_norm(ChainImpl& chain, const std::string& name, const NormSpec& norm, int64_t channels) {
  if (auto layer = make_norm2d(norm, channels); !layer.is_empty()) chain.add(name, std::move(layer));
}

Residual make_block(const BlockPlan& plan, const NormSpec& norm, const std::string& activation) {
  const int64_t expansion = plan.bottleneck ? 4 : 1;
  const int64_t out = plan.width * expansion;
  Residual block;
  if (plan.bottleneck) {
    block->add("conv1", conv(plan.in_channels, plan.width, 1, 1, norm));
    add_norm(*block, "bn1", norm, plan.width);
    block->add("act1", make_activation(activation));
    block->add("conv2", conv(plan.width, plan.width, 3, plan.stride, norm));
    add_norm(*block, "bn2", norm, plan.width);
    block->add("act2", make_activation(activation));
    block->add("conv3", conv(plan.width, out, 1, 1, norm));
    add_norm(*block, "bn3", norm, out);
  } else {
    block->add("conv1", conv(plan.in_channels, plan.width, 3, plan.stride, norm));
    add_norm(*block, "bn1", norm, plan.width);
    block->add("act1", make_activation(activation));
    block->add("conv2", conv(plan.width, out, 3, 1, norm));
    add_norm(*block, "bn2", norm, out);
  }
  if (plan.stride != 1 || plan.in_channels != out) {
    Chain downsample;
    downsample->add("0", conv(plan.in_channels, out, 1, plan.stride, norm));
    add_norm(*downsample, "1", norm, out);
    block->shortcut("downsample", torch::nn::AnyModule(downsample));
  }
  block->after("act", make_activation(activation));
  block->drop_path(plan.drop_path);
  return block;
}

std::shared_ptr<Network> build_preset(const config::ModelConfig& config, const ModelInput& input,
                                      const char* preset_block, std::vector<int64_t> preset_blocks) {
  require_image_input("resnet", input);
  const bool bottleneck = (config.block == "auto" ? std::string(preset_block) : config.block) == "bottleneck";
  const std::vector<int64_t> blocks = config.blocks.empty() ? preset_blocks : config.blocks;
  const std::string activation = resolve_activation(config.activation, "relu");
  const NormSpec norm{config.norm, config.norm_groups};
  const int64_t channels = input.input_shape[0];
  const bool small = config.stem == "small" ||
                     (config.stem == "auto" && std::min(input.input_shape[1], input.input_shape[2]) < 64);

  auto width = [&](size_t stage) { return make_divisible(64.0 * config.width_multiplier * std::pow(2.0, stage)); };
  auto model = std::make_shared<ChainImpl>();
  model->add("conv1", small ? conv(channels, width(0), 3, 1, norm)
                            : torch::nn::Conv2d(torch::nn::Conv2dOptions(channels, width(0), 7)
                                                    .stride(2)
                                                    .padding(3)
                                                    .bias(norm.type == "none")));
  add_norm(*model, "bn1", norm, width(0));
  model->add("relu", make_activation(activation));
  if (!small) model->add("maxpool", torch::nn::MaxPool2d(torch::nn::MaxPool2dOptions(3).stride(2).padding(1)));

  int64_t total_blocks = 0, block_id = 0;
  for (auto n : blocks) total_blocks += n;
  int64_t in_channels = width(0);
  for (size_t stage = 0; stage < blocks.size(); ++stage) {
    Chain layer;
    for (int64_t j = 0; j < blocks[stage]; ++j) {
      BlockPlan plan{bottleneck, in_channels, width(stage), (stage > 0 && j == 0) ? 2 : 1,
                     config.stochastic_depth * static_cast<double>(block_id++) / static_cast<double>(total_blocks)};
      layer->add(std::to_string(j), make_block(plan, norm, activation));
      in_channels = plan.width * (bottleneck ? 4 : 1);
    }
    model->add("layer" + std::to_string(stage + 1), layer);
  }
  model->add("avgpool", torch::nn::AdaptiveAvgPool2d(1));
  model->add("flatten", torch::nn::Flatten());
  if (config.dropout > 0.0) model->add("dropout", Dropout(config.dropout));
  model->add("fc", torch::nn::Linear(in_channels, input.num_classes));
  init_convs_fan_out(*model);
  return model;
}

}  // namespace

std::shared_ptr<Network> build_resnet(const config::ModelConfig& c, const ModelInput& in) {
  return build_preset(c, in, "basic", {2, 2, 2, 2});
}
std::shared_ptr<Network> build_resnet18(const config::ModelConfig& c, const ModelInput& in) {
  return build_preset(c, in, "basic", {2, 2, 2, 2});
}
std::shared_ptr<Network> build_resnet34(const config::ModelConfig& c, const ModelInput& in) {
  return build_preset(c, in, "basic", {3, 4, 6, 3});
}
std::shared_ptr<Network> build_resnet50(const config::ModelConfig& c, const ModelInput& in) {
  return build_preset(c, in, "bottleneck", {3, 4, 6, 3});
}

}  // namespace dltrain::models
