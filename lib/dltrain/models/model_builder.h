// Builds the network named by `model.type` as a models::Network (a torch::nn::Module with
// forward(x) and a traceable forward pass for the summary).
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "dltrain/config/experiment_config.h"
#include "dltrain/models/network.h"

namespace dltrain::models {

// What the model is built for: one sample's shape ([C, H, W] or [features]) and the class count.
struct ModelInput {
  std::vector<int64_t> input_shape;
  int64_t num_classes = 0;
};

// Throws ConfigError for an unknown type, an option the family does not take (set to a
// non-default value) or options that do not fit the input.
std::shared_ptr<Network> build_model(const config::ModelConfig& config, const ModelInput& input);

// `model.input_shape` / `model.num_classes` when given, else the data's; a given value that
// contradicts the data is a ConfigError.
ModelInput model_input(const config::ModelConfig& config, const std::vector<int64_t>& data_shape,
                       int64_t data_classes);

// True when the config names the input itself, so no dataset is needed to build the model.
bool has_explicit_input(const config::ModelConfig& config);

// The registered `model.type` names, in registry order.
std::vector<std::string> model_types();

}  // namespace dltrain::models
