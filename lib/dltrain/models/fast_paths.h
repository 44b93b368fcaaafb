// Faster operators for runs of a chain's layers in untraced passes (training and evaluation):
// batch norm + 2x2 max-pool + ReLU fused (norm_pool_relu), with the one-channel conv before it
// on a grey image's first stage (conv_norm_pool_relu), a training classifier head as one
// operator (fused_head), and linear layers whose matrix products are shared by the intra-op
// threads (parallel_linear). A trace (model summary,
// Grad-CAM) needs every layer's own output and always runs the layers one by one.
#pragma once

#include <torch/types.h>

#include <cstddef>

#include "dltrain/models/network.h"

namespace dltrain::models {

// Runs layers[first, ...) through a faster operator when one applies to `x`, replacing `x` with
// the output; returns how many layers it ran (0: none applies, `x` is untouched).
std::size_t run_fast_path(const ChainImpl::Layers& layers, std::size_t first, torch::Tensor& x);

}  // namespace dltrain::models
