// CPU float32 matrix products through oneDNN's matmul, its primitives built once per shape.
//
// The classifier heads' products are short and wide (the quickstart CNN's first hidden layer:
// 128 x 1568 by 1568 x 64, and its two backward products), where OpenBLAS, one call per
// intra-op thread, ran at about two thirds of oneDNN's brgemm kernels on the same cores (390
// against 600 us for the three). Built where CMake finds oneDNN 2.x, as onednn_conv is.
#pragma once

#include <torch/types.h>

namespace dltrain::models {

// out = left @ right (+ bias, broadcast over the rows, when defined) through oneDNN, on the
// intra-op threads, and true; false, with nothing written, where oneDNN is not in this build or
// cannot take the operands: CPU float32 2-D matrices of any strides (a transposed view is fine),
// `out` contiguous, `bias` a contiguous vector of out's columns.
bool onednn_matmul(const torch::Tensor& out, const torch::Tensor& left, const torch::Tensor& right,
                   const torch::Tensor& bias = {});

}  // namespace dltrain::models
