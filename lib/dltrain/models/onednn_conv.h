// Conv2d on channels-last CPU maps through oneDNN directly, its primitives built once per shape.
//
// LibTorch runs a channels-last float32 convolution through oneDNN too, but builds the primitive
// descriptors, reorders and buffers anew on every call: on the quickstart CNN's second conv
// (128 x 16 -> 32 x 14 x 14) that is about 0.1 ms of each forward and 0.3 ms of each backward
// around 3.3 ms of kernels, on one core while the other waits. This operator keeps the forward,
// backward-data and backward-weights primitives of each shape in a cache and per call only
// reorders the weight (a few KB) into the kernels' blocked layout.
//
// Built where CMake finds oneDNN 2.x (Debian's libdnnl-dev; the system library Debian's LibTorch
// itself uses); elsewhere onednn_conv2d_applies is always false and LibTorch's path runs.
#pragma once

#include <torch/nn/modules/conv.h>

namespace dltrain::models {

// Whether onednn_conv2d runs `conv` on `input`: a CPU float32 [N, C, H, W] batch laid out
// channels-last, a float32 weight laid out channels-last or contiguous, groups 1, dilation 1,
// explicit zero padding, in a build with oneDNN.
bool onednn_conv2d_applies(const torch::Tensor& input, const torch::nn::Conv2dImpl& conv);

// conv.forward(input), channels-last; differentiable in the input, weight and bias.
torch::Tensor onednn_conv2d(const torch::Tensor& input, torch::nn::Conv2dImpl& conv);

}  // namespace dltrain::models
