#include "dltrain/models/parallel_linear.h"

#include <ATen/Parallel.h>
#include <torch/torch.h>

#include <cstdint>

#include "dltrain/core/parallel.h"
#include "dltrain/models/onednn_matmul.h"

namespace dltrain::models {
namespace {

constexpr int64_t kMinimumProduct = int64_t{1} << 20;  // multiply-adds; below it, forking costs more
constexpr int64_t kMinimumRows = 32;
constexpr int64_t kMinimumOutputs = 16;

// out[first:last) = product of the rows [first:last) of `left` and `right`, per intra-op thread.
// Each share runs without autograd and in the caller's inference mode (thread-local, and an
// inference tensor may only be written in inference mode). The profiler is not carried over:
// like LibTorch's own intra-op work, the shares count inside the operator that forked them.
void product_rows(torch::Tensor out, const torch::Tensor& left, const torch::Tensor& right,
                  const torch::Tensor& bias) {
  if (bias.defined()) {
    at::addmm_out(out, bias, left, right);
  } else {
    at::mm_out(out, left, right);
  }
}

void rows_in_parallel(const torch::Tensor& out, const torch::Tensor& left, const torch::Tensor& right,
                      const torch::Tensor& bias) {
  const bool inference = c10::InferenceMode::is_enabled();
  parallel_for(0, left.size(0), kMinimumRows / 2, [&](int64_t first, int64_t last) {
    const c10::InferenceMode same_mode(inference);
    const torch::NoGradGuard no_grad;
    product_rows(out.narrow(0, first, last - first), left.narrow(0, first, last - first), right, bias);
  });
}

// out = left @ right (+ bias) on every intra-op thread: oneDNN's kernels where the build has
// them, else one BLAS call per thread on its share of the rows.
void shared_product(const torch::Tensor& out, const torch::Tensor& left, const torch::Tensor& right,
                    const torch::Tensor& bias) {
  if (!onednn_matmul(out, left, right, bias)) rows_in_parallel(out, left, right, bias);
}

// Whether an [rows x inner] by [inner x columns] product is worth sharing between threads.
bool worth_sharing(int64_t rows, int64_t inner, int64_t columns) {
  return rows >= kMinimumRows && columns >= kMinimumOutputs && rows * inner * columns >= kMinimumProduct &&
         at::get_num_threads() > 1 && !at::in_parallel_region() && parallel_for_forks();
}

struct ParallelLinear : public torch::autograd::Function<ParallelLinear> {
  // LibTorch 1.13's custom functions reject undefined inputs: a layer without bias passes an
  // empty tensor.
  static torch::Tensor forward(torch::autograd::AutogradContext* ctx, const torch::Tensor& input,
                               const torch::Tensor& weight, const torch::Tensor& bias) {
    auto out = torch::empty({input.size(0), weight.size(0)}, input.options());
    shared_product(out, input, weight.t(), bias.numel() > 0 ? bias : torch::Tensor());
    ctx->save_for_backward({input, weight});
    ctx->saved_data["has_bias"] = bias.numel() > 0;
    return out;
  }

  static torch::autograd::tensor_list backward(torch::autograd::AutogradContext* ctx,
                                               torch::autograd::tensor_list grads) {
    const auto saved = ctx->get_saved_variables();
    const torch::Tensor& input = saved[0];
    const torch::Tensor& weight = saved[1];
    const auto grad = grads[0].contiguous();
    torch::Tensor grad_input, grad_weight, grad_bias;
    if (ctx->needs_input_grad(0)) {
      grad_input = torch::empty_like(input);
      shared_product(grad_input, grad, weight, torch::Tensor());
    }
    if (ctx->needs_input_grad(1)) {
      grad_weight = torch::empty_like(weight);
      shared_product(grad_weight, grad.t(), input, torch::Tensor());  // rows of grad^T: output features
    }
    if (ctx->saved_data["has_bias"].toBool() && ctx->needs_input_grad(2)) grad_bias = grad.sum(0);
    return {grad_input, grad_weight, grad_bias};
  }
};

bool float_cpu(const torch::Tensor& t) {
  return t.defined() && t.device().is_cpu() && t.scalar_type() == torch::kFloat32 && t.is_contiguous();
}

}  // namespace

bool parallel_linear_applies(const torch::Tensor& input, const torch::nn::LinearImpl& linear) {
  if (input.dim() != 2 || !float_cpu(input) || !float_cpu(linear.weight)) return false;
  if (linear.bias.defined() && !float_cpu(linear.bias)) return false;
  const int64_t rows = input.size(0), inputs = input.size(1), outputs = linear.weight.size(0);
  return inputs == linear.weight.size(1) && worth_sharing(rows, inputs, outputs);
}

void matrix_product(const torch::Tensor& out, const torch::Tensor& left, const torch::Tensor& right,
                    const torch::Tensor& bias) {
  if (worth_sharing(left.size(0), left.size(1), right.size(1))) {
    shared_product(out, left, right, bias);
  } else {
    const torch::NoGradGuard no_grad;
    product_rows(out, left, right, bias);
  }
}

torch::Tensor parallel_linear(const torch::Tensor& input, torch::nn::LinearImpl& linear) {
  return ParallelLinear::apply(input, linear.weight, linear.bias.defined() ? linear.bias : torch::empty({0}));
}

}  // namespace dltrain::models
