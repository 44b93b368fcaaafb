// nn::Linear on the CPU with its matrix products split over the intra-op threads.
//
// dltrain keeps OpenBLAS on one thread (its own pool fights LibTorch's OpenMP workers for the
// cores; see core/thread_budget), so every LibTorch matmul runs on one core. This splits the
// forward product and both backward ones (input and weight gradients) into row blocks, one per
// intra-op thread, each a single-threaded BLAS call: a hidden layer of the quickstart CNN
// (128 x 1568 x 64) then uses both cores. Where the build has oneDNN, each product is one oneDNN
// matmul on the intra-op threads instead (onednn_matmul.h), faster on these short, wide shapes.
#pragma once

#include <torch/nn/modules/linear.h>

namespace dltrain::models {

// Whether parallel_linear takes this input: a contiguous CPU float32 [N, in] batch for a float32
// layer, enough work to share (N x in x out >= 2^20 multiply-adds, N >= 32, out >= 16) and more
// than one intra-op thread that parallel_for can fork.
bool parallel_linear_applies(const torch::Tensor& input, const torch::nn::LinearImpl& linear);

// linear.forward(input), differentiable in the input, weight and bias.
torch::Tensor parallel_linear(const torch::Tensor& input, torch::nn::LinearImpl& linear);

// out = left @ right (+ bias when defined), without autograd: CPU float32 matrices, `out`
// contiguous. The rows of `left` are shared by the intra-op threads when the product is large
// enough to pay for the fork (as parallel_linear_applies judges it); one BLAS call otherwise.
void matrix_product(const torch::Tensor& out, const torch::Tensor& left, const torch::Tensor& right,
                    const torch::Tensor& bias = {});

}  // namespace dltrain::models
