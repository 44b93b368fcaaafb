// Weight and bias initialization schemes (`model.init`) and zero-init of residual branches,
// applied after a model is built (and after its family's own initialization).
#pragma once

#include <string>

#include "dltrain/config/experiment_config.h"

namespace torch::nn {
class Module;
}

namespace dltrain::models {

// Re-initializes conv, linear and recurrent weights by `init.weight` ("default" keeps what the
// family chose); kaiming gains follow `init.nonlinearity`, or `activation` when it is "auto".
void apply_init(torch::nn::Module& model, const config::InitConfig& init, const std::string& activation);

// Zeroes the scale of the last normalization layer on each residual block's main path, so
// every block starts as the identity (Goyal et al. 2017).
void zero_init_residual_branches(torch::nn::Module& model);

}  // namespace dltrain::models
