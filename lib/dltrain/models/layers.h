// Layer factories shared by the model families: activations and normalization by config name,
// and torchvision's conv + norm + activation unit.
#pragma once

#include <torch/nn/modules/container/any.h>

#include <cstdint>
#include <string>

#include "dltrain/models/network.h"

namespace dltrain::models {

// relu | relu6 | leaky_relu | elu | gelu | silu | tanh | sigmoid
torch::nn::AnyModule make_activation(const std::string& name);

// Whether max-pooling after the activation equals the activation after max-pooling, gradients
// included: true for the non-decreasing ones whose ties only occur where their slope is zero.
bool commutes_with_max_pool(const std::string& activation);

// `model.activation`, with "auto" or the default (relu) replaced by the family's standard one.
std::string resolve_activation(const std::string& configured, const char* family_standard);

// How feature maps (or feature vectors) are normalized: batch | layer | group | instance | none.
struct NormSpec {
  std::string type = "batch";
  int64_t groups = 8;  // group norm
};

// A normalization layer over `channels` feature maps, or an empty AnyModule for "none".
// layer = GroupNorm with one group (statistics over C, H, W; per-channel affine).
torch::nn::AnyModule make_norm2d(const NormSpec& norm, int64_t channels);
// BatchNorm2d (maps: [N, C, H, W]) or BatchNorm1d; a SyncBatchNorm inside a SyncBatchNormScope.
torch::nn::AnyModule batch_norm(int64_t channels, bool maps);

// A normalization over `features` after a linear layer, or empty for "none".
torch::nn::AnyModule make_norm1d(const NormSpec& norm, int64_t features);

// torchvision's Conv2dNormActivation: "0" conv (with a bias only when there is no norm),
// "1" norm, "2" activation (omitted for an empty name), padding (kernel-1)/2.
Chain conv_norm_activation(int64_t in_channels, int64_t out_channels, int64_t kernel, int64_t stride,
                           int64_t groups, const NormSpec& norm, const std::string& activation);

}  // namespace dltrain::models
