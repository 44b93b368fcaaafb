// The builder of each model family; the registry in model_builder.cpp maps names to these.
#pragma once

#include "dltrain/models/model_builder.h"

namespace dltrain::models {

std::shared_ptr<Network> build_mlp(const config::ModelConfig& config, const ModelInput& input);
std::shared_ptr<Network> build_cnn(const config::ModelConfig& config, const ModelInput& input);
std::shared_ptr<Network> build_resnet(const config::ModelConfig& config, const ModelInput& input);
std::shared_ptr<Network> build_resnet18(const config::ModelConfig& config, const ModelInput& input);
std::shared_ptr<Network> build_resnet34(const config::ModelConfig& config, const ModelInput& input);
std::shared_ptr<Network> build_resnet50(const config::ModelConfig& config, const ModelInput& input);
std::shared_ptr<Network> build_mobilenet_v2(const config::ModelConfig& config, const ModelInput& input);
std::shared_ptr<Network> build_efficientnet(const config::ModelConfig& config, const ModelInput& input);
std::shared_ptr<Network> build_rnn(const config::ModelConfig& config, const ModelInput& input);
std::shared_ptr<Network> build_sequential(const config::ModelConfig& config, const ModelInput& input);
std::shared_ptr<Network> build_torchscript(const config::ModelConfig& config, const ModelInput& input);

// Throws ConfigError unless the input is an image [C, H, W].
void require_image_input(const char* family, const ModelInput& input);

// torchvision's _make_divisible: the nearest multiple of 8 (at least 8), never 10% below `value`.
int64_t make_divisible(double value, int64_t divisor = 8);

// torchvision's conv initialization: kaiming normal (fan_out, ReLU gain) weights, zero biases.
void init_convs_fan_out(torch::nn::Module& model);

}  // namespace dltrain::models
