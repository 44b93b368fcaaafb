// Training-mode BatchNorm2d, 2x2 max-pool and ReLU as one CPU operator on channels-last float32
// maps: the tail of every cnn stage.
//
// Run as three LibTorch operators, this tail moves the conv output through memory about eleven
// times per step (batch-norm statistics, the normalized copy, the pool's read, its int64
// indices, the backward's zero-fill and scatter, and batch norm's two-pass backward). Fused, the
// forward reads the conv output once: one pass takes the channel statistics and each 2x2
// window's largest and smallest input, and the pool is then taken on those quarter-size maps
// (the norm is monotonic in its input). The backward reads the conv output once more and writes
// its gradient once.
//
// Values and gradients are those of BatchNorm2d -> MaxPool2d(2) -> ReLU (or ReLU before the
// pool: the two commute), running statistics included; sums are taken per image and added in
// image order, so results do not depend on the thread count.
#pragma once

#include <torch/nn/modules/batchnorm.h>
#include <torch/nn/modules/conv.h>

#include <cstddef>

#include "dltrain/models/network.h"

namespace dltrain::models {

// Whether norm_pool_relu handles this input for this layer: a CPU float32 [N, C, H, W] map laid
// out channels-last, with even H and W, C of 8, 16, 32, 64, 128 or 256, and more than one
// value per channel; a training layer with affine weights, running statistics and a momentum.
bool norm_pool_relu_applies(const torch::Tensor& input, const torch::nn::BatchNorm2dImpl& norm);

// relu(max_pool2d(norm(input), 2)), with norm's running statistics and batch count updated as
// its own forward would. Differentiable in the input and in norm's weight and bias.
torch::Tensor norm_pool_relu(const torch::Tensor& input, torch::nn::BatchNorm2dImpl& norm);

// The norm of layers[first, first + 3) when they are a BatchNorm2d, a MaxPool2d(2) and a ReLU
// (pool and ReLU in either order) that norm_pool_relu can run on `input`; null otherwise.
torch::nn::BatchNorm2dImpl* fusable_norm_pool_relu(const ChainImpl::Layers& layers, std::size_t first,
                                                   const torch::Tensor& input);

// A grey-image CNN's first stage fused whole: Conv2d(1 -> C, 3x3, stride 1, zero padding 1, no
// bias), then the norm, pool and ReLU above. The convolution is computed where it is used and
// never stored (its output is C times the size of the image it comes from): the forward takes the
// statistics and window extremes of the conv output straight from the image, and the backward
// recomputes it to form the conv weight's gradient. Applies to a contiguous CPU float32
// [N, 1, H, W] image that needs no gradient (a saliency map takes the layers one by one), with
// norm_pool_relu's conditions on the conv output.
bool conv_norm_pool_relu_applies(const torch::Tensor& image, const torch::nn::Conv2dImpl& conv,
                                 const torch::nn::BatchNorm2dImpl& norm);

// relu(max_pool2d(norm(conv(image)), 2)); differentiable in the conv weight and the norm's weight
// and bias.
torch::Tensor conv_norm_pool_relu(const torch::Tensor& image, torch::nn::Conv2dImpl& conv,
                                  torch::nn::BatchNorm2dImpl& norm);

struct FusableConvStage {
  torch::nn::Conv2dImpl* conv = nullptr;
  torch::nn::BatchNorm2dImpl* norm = nullptr;
};

// layers[first, first + 4) when they are such a conv followed by a norm, pool and ReLU that
// conv_norm_pool_relu can run on `image`; nulls otherwise.
FusableConvStage fusable_conv_norm_pool_relu(const ChainImpl::Layers& layers, std::size_t first,
                                             const torch::Tensor& image);

}  // namespace dltrain::models
