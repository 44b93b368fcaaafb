// Builds the network named by `model.type`. Every model is a torch::nn::Sequential, so the
// trainer, the summary and (later) Grad-CAM can walk it layer by layer.
#pragma once

#include <torch/nn/modules/container/sequential.h>

#include <cstdint>
#include <string>
#include <vector>

#include "dltrain/config/experiment_config.h"

namespace dltrain::models {

// What the data tells the model: one sample's shape ([C, H, W]) and the number of classes.
struct ModelInput {
  std::vector<int64_t> input_shape;
  int64_t num_classes = 0;
};

// Throws ConfigError for an unknown type or options that do not fit the input.
torch::nn::Sequential build_model(const config::ModelConfig& config, const ModelInput& input);

// The registered `model.type` names, in registry order.
std::vector<std::string> model_types();

}  // namespace dltrain::models
