// Evaluation-time folding of batch norm into the layer before it.
//
// In eval mode a batch norm is a fixed per-channel affine map, so a convolution or linear layer
// followed by one equals that layer with scaled weights and a shifted bias. Folding removes a
// full pass over every normalized activation; the quickstart CNN evaluates faster (see
// scripts/bench/compare.py). Only evaluation uses the folded copy: training, checkpoints,
// summaries and Grad-CAM keep the model as built.
#pragma once

#include <memory>

#include "dltrain/models/network.h"

namespace dltrain::models {

// A network computing what `model` computes in eval mode, with each Conv2d -> BatchNorm2d and
// Linear -> BatchNorm1d pair inside its chains replaced by one folded layer: nested chains,
// residual blocks and their shortcuts included (ChainImpl::rebuilt); blocks that cannot be
// rebuilt (squeeze-and-excitation) are kept as they are. Layers that do not fold are shared with `model`, not copied; `model` is unchanged.
// Returns `model` itself when nothing folds. Call it after model->eval(), under no-grad or
// inference mode; the copy does not follow later changes to `model`'s weights.
std::shared_ptr<Network> fold_batch_norm(const std::shared_ptr<Network>& model);

}  // namespace dltrain::models
