// Small convolutional network: stages of [conv, norm, activation] x convs_per_stage, each stage
// ending in a 2x2 max-pool (placed before the stage's last activation when they commute), then
// the shared classifier head.
#include <torch/torch.h>

#include "dltrain/core/error.h"
#include "dltrain/models/classifier_head.h"
#include "dltrain/models/layers.h"
#include "dltrain/models/model_families.h"

namespace dltrain::models {

std::shared_ptr<Network> build_cnn(const config::ModelConfig& config, const ModelInput& input) {
  require_image_input("cnn", input);
  int64_t channels = input.input_shape[0], height = input.input_shape[1], width = input.input_shape[2];
  const std::string activation = resolve_activation(config.activation, "relu");
  const NormSpec norm{config.norm, config.norm_groups};
  auto model = std::make_shared<ChainImpl>();
  for (size_t stage = 0; stage < config.channels.size(); ++stage) {
    if (height < 2 || width < 2) {
      throw ConfigError("model.channels: stage " + std::to_string(stage + 1) + " of " +
                        std::to_string(config.channels.size()) + " would pool a " + std::to_string(height) + "x" +
                        std::to_string(width) + " feature map; use fewer stages for this image size");
    }
    for (int64_t k = 0; k < config.convs_per_stage; ++k) {
      const std::string n = std::to_string(stage + 1) + "_" + std::to_string(k + 1);
      auto options = torch::nn::Conv2dOptions(channels, config.channels[stage], config.kernel_size)
                         .padding(config.kernel_size / 2)
                         .bias(norm.type == "none");
      model->add("conv" + n, torch::nn::Conv2d(options));
      if (auto layer = make_norm2d(norm, config.channels[stage]); !layer.is_empty()) model->add("norm" + n, std::move(layer));
      const bool last_in_stage = k + 1 == config.convs_per_stage;
      // max(f(a), f(b)) = f(max(a, b)) for a non-decreasing f, so pooling first gives the same
      // values and gradients while the activation (and its backward) touches a quarter of them.
      if (last_in_stage && commutes_with_max_pool(activation)) {
        model->add("pool" + std::to_string(stage + 1), torch::nn::MaxPool2d(2));
        model->add("act" + n, make_activation(activation));
      } else {
        model->add("act" + n, make_activation(activation));
        if (last_in_stage) model->add("pool" + std::to_string(stage + 1), torch::nn::MaxPool2d(2));
      }
      channels = config.channels[stage];
    }
    height /= 2;
    width /= 2;
  }
  model->add("flatten", torch::nn::Flatten());
  append_classifier_head(*model, config, activation, channels * height * width, input.num_classes);
  return model;
}

}  // namespace dltrain::models
