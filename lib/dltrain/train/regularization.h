// L1/L2 penalties of `regularization` added to the training loss: l1 * sum|w| + l2 * sum w^2
// over weight tensors (rank >= 2; biases and normalization parameters are not penalized).
#pragma once

#include <torch/types.h>

#include <vector>

#include "dltrain/config/experiment_config.h"

namespace torch::nn {
class Module;
}

namespace dltrain::train {

// The tensors the penalties apply to.
std::vector<torch::Tensor> penalized_weights(torch::nn::Module& model);

// The penalty as a differentiable scalar; undefined when both coefficients are 0.
torch::Tensor weight_penalty(const config::RegularizationConfig& config, const std::vector<torch::Tensor>& weights);

}  // namespace dltrain::train
