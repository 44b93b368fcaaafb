// A classifier head in training as one CPU autograd operator: an optional Flatten, then units of
// [Dropout] Linear [BatchNorm1d] [ReLU] (classifier_head's hidden blocks and its logits layer,
// and a whole MLP).
//
// Run layer by layer, the quickstart CNN's head is about a dozen LibTorch operators forward and
// as many backward, each with its dispatch, autograd node and allocation, plus a flatten copy out
// of the channels-last maps and back: about a fifth of its training step for a few percent of its
// multiply-adds. Fused, channels-last maps are read in their own memory order and the first
// weight's columns are reordered to match (no copy of the maps), each dropout's mask is applied
// as it is hashed and hashed again in the backward (never stored), the matrix products use the
// intra-op threads (as parallel_linear's do), and the batch norm and ReLU are loops over the
// small hidden activations.
//
// Values, gradients and running statistics are the layers' own; each dropout draws its seed from
// the default generator in layer order and hashes its mask as models::Dropout does, so a seeded
// run gives the same masks fused or not.
#pragma once

#include <torch/nn/modules/batchnorm.h>
#include <torch/nn/modules/linear.h>

#include <cstddef>
#include <vector>

#include "dltrain/models/dropout.h"
#include "dltrain/models/network.h"

namespace dltrain::models {

// One [Dropout] Linear [BatchNorm1d] [ReLU] unit of the head.
struct HeadUnit {
  DropoutImpl* dropout = nullptr;  // before the linear layer; null when absent or p = 0
  torch::nn::LinearImpl* linear = nullptr;
  torch::nn::BatchNorm1dImpl* norm = nullptr;
  bool relu = false;
};

struct FusableHead {
  bool flatten = false;
  std::vector<HeadUnit> units;
  std::size_t layers = 0;  // how many of the chain's layers the units (and the flatten) cover
};

// The longest run of layers[first, ...) that fused_head can run on `input`: an optional
// Flatten(1, -1), then units whose layers are all training, float32 and on the CPU (batch norms
// with affine weights, running statistics and a momentum). `input` is a CPU float32 batch of at
// least two rows, contiguous or a channels-last 4-D map. Empty (layers == 0) unless the run has at
// least two layers.
FusableHead fusable_head(const ChainImpl::Layers& layers, std::size_t first, const torch::Tensor& input);

// The head's output, differentiable in the input and every unit's parameters.
torch::Tensor fused_head(const torch::Tensor& input, const FusableHead& head);

}  // namespace dltrain::models
