// The builder of each model family; the registry in model_builder.cpp maps names to these.
#pragma once

#include "dltrain/models/model_builder.h"

namespace dltrain::models {

torch::nn::Sequential build_mlp(const config::ModelConfig& config, const ModelInput& input);
torch::nn::Sequential build_cnn(const config::ModelConfig& config, const ModelInput& input);

}  // namespace dltrain::models
