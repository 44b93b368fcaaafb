// Two passes over the ranks, as in the single-process kernel: the global mean first, then the
// global mean squared deviation (E[x^2] - mean^2 would lose digits in float32). Both sums go
// through a differentiable all-reduce, so autograd gives each rank the gradient of every rank's
// loss with respect to the shared statistics -- the terms SyncBatchNorm's backward all-reduces.
#include "dltrain/models/sync_batchnorm.h"

#include <torch/torch.h>

namespace dltrain::models {
namespace {

const RankSum* g_scope_sum = nullptr;

// y = sum over ranks of x; its gradient is, by the same linearity, the sum over ranks of dy.
struct RankSumFunction : public torch::autograd::Function<RankSumFunction> {
  static torch::Tensor forward(torch::autograd::AutogradContext* ctx, const torch::Tensor& x, const RankSum* sum) {
    // AutogradContext stores IValues only; the sum (owned by the layer, which outlives the
    // step) travels as its address.
    ctx->saved_data["sum"] = static_cast<int64_t>(reinterpret_cast<intptr_t>(sum));
    std::vector<torch::Tensor> total{x.clone()};
    (*sum)(total);
    return total[0];
  }
  static torch::autograd::tensor_list backward(torch::autograd::AutogradContext* ctx,
                                               torch::autograd::tensor_list grads) {
    const auto* sum = reinterpret_cast<const RankSum*>(static_cast<intptr_t>(ctx->saved_data["sum"].toInt()));
    std::vector<torch::Tensor> total{grads[0].contiguous().clone()};
    (*sum)(total);
    return {total[0], torch::Tensor()};
  }
};

}  // namespace

SyncBatchNormImpl::SyncBatchNormImpl(int64_t features, RankSum sum, double eps, double momentum)
    : sum_(std::move(sum)), eps_(eps), momentum_(momentum) {
  weight = register_parameter("weight", torch::ones({features}));
  bias = register_parameter("bias", torch::zeros({features}));
  running_mean = register_buffer("running_mean", torch::zeros({features}));
  running_var = register_buffer("running_var", torch::ones({features}));
  num_batches_tracked = register_buffer("num_batches_tracked", torch::zeros({}, torch::kLong));
}

torch::Tensor SyncBatchNormImpl::forward(const torch::Tensor& input) {
  if (!is_training()) {
    return torch::batch_norm(input, weight, bias, running_mean, running_var, /*training=*/false, momentum_, eps_,
                             /*cudnn_enabled=*/true);
  }
  std::vector<int64_t> reduce_dims = {0};
  std::vector<int64_t> shape(static_cast<std::size_t>(input.dim()), 1);
  shape[1] = input.size(1);
  for (int64_t d = 2; d < input.dim(); ++d) reduce_dims.push_back(d);

  std::vector<torch::Tensor> count{torch::full({1}, double(input.numel() / input.size(1)), input.options())};
  sum_(count);
  const double n = count[0].item<double>();

  const auto mean = RankSumFunction::apply(input.sum(reduce_dims), &sum_) / n;
  const auto centered = input - mean.view(shape);
  const auto var = RankSumFunction::apply(centered.pow(2).sum(reduce_dims), &sum_) / n;
  {
    torch::NoGradGuard no_grad;
    running_mean.mul_(1 - momentum_).add_(mean.detach(), momentum_);
    running_var.mul_(1 - momentum_).add_(var.detach() * (n / std::max(n - 1, 1.0)), momentum_);
    num_batches_tracked.add_(1);
  }
  return centered * torch::rsqrt(var + eps_).view(shape) * weight.view(shape) + bias.view(shape);
}

SyncBatchNormScope::SyncBatchNormScope(RankSum sum) { g_scope_sum = new RankSum(std::move(sum)); }

SyncBatchNormScope::~SyncBatchNormScope() {
  delete g_scope_sum;
  g_scope_sum = nullptr;
}

const RankSum* sync_batchnorm_sum() { return g_scope_sum; }

}  // namespace dltrain::models
