// Weight and bias initialization schemes (`model.init`), applied after a model is built.
#pragma once

#include <string>

#include "dltrain/config/experiment_config.h"

namespace torch::nn {
class Module;
}

namespace dltrain::models {

// "default" leaves LibTorch's own initialization. Kaiming schemes use the gain of `activation`.
void apply_init(torch::nn::Module& model, const config::InitConfig& init, const std::string& activation);

}  // namespace dltrain::models
