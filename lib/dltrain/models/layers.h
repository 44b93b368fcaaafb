// Layer factories shared by the model families: activations and normalization by config name.
#pragma once

#include <torch/nn/modules/container/any.h>

#include <cstdint>
#include <string>

namespace dltrain::models {

torch::nn::AnyModule make_activation(const std::string& name);

// A 2-D normalization layer over `channels`, or an empty AnyModule for "none".
torch::nn::AnyModule make_norm2d(const std::string& name, int64_t channels);

// A 1-D normalization over `features` (after a linear layer), or empty for "none".
torch::nn::AnyModule make_norm1d(const std::string& name, int64_t features);

}  // namespace dltrain::models
