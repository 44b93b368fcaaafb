#include "dltrain/optim/optimizers/fused_adam.h"

#include <torch/torch.h>

#include <cmath>
#include <memory>

#include "dltrain/core/parallel.h"
#include "dltrain/core/torch_compat.h"
#include "dltrain/optim/optimizers/adam_update.h"

namespace dltrain::optim {
namespace {

bool dense_float_cpu(const torch::Tensor& t) {
  return t.device().is_cpu() && t.scalar_type() == torch::kFloat32 && t.is_non_overlapping_and_dense();
}

}  // namespace

bool FusedAdam::fusable() const {
  for (const auto& group : param_groups_) {
    if (static_cast<const torch::optim::AdamOptions&>(group.options()).amsgrad()) return false;
    for (const auto& p : group.params()) {
      const auto& grad = p.grad();
      if (!grad.defined()) continue;
      if (!dense_float_cpu(p) || grad.is_sparse() || !dense_float_cpu(grad)) return false;
      const auto found = state_.find(compat::optimizer_state_key(p));
      if (found == state_.end()) continue;
      const auto& state = static_cast<const torch::optim::AdamParamState&>(*found->second);
      if (state.exp_avg().strides() != p.strides() || state.exp_avg_sq().strides() != p.strides() ||
          !dense_float_cpu(state.exp_avg()) || !dense_float_cpu(state.exp_avg_sq()))
        return false;
    }
  }
  return true;
}

torch::Tensor FusedAdam::step(LossClosure closure) {
  if (!fusable()) return torch::optim::Adam::step(std::move(closure));
  torch::NoGradGuard no_grad;
  torch::Tensor loss;
  if (closure) {
    torch::AutoGradMode enable_grad(true);
    loss = closure();
  }
  for (auto& group : param_groups_) {
    const auto& options = static_cast<const torch::optim::AdamOptions&>(group.options());
    const double beta1 = std::get<0>(options.betas()), beta2 = std::get<1>(options.betas());
    for (auto& p : group.params()) {
      if (!p.grad().defined()) continue;
      auto& slot = state_[compat::optimizer_state_key(p)];
      if (!slot) {  // as Adam::step creates it
        auto fresh = std::make_unique<torch::optim::AdamParamState>();
        fresh->step(0);
        fresh->exp_avg(torch::zeros_like(p, torch::MemoryFormat::Preserve));
        fresh->exp_avg_sq(torch::zeros_like(p, torch::MemoryFormat::Preserve));
        slot = std::move(fresh);
      }
      auto& state = static_cast<torch::optim::AdamParamState&>(*slot);
      state.step(state.step() + 1);
      const double bias_correction1 = 1.0 - std::pow(beta1, state.step());
      const double bias_correction2 = 1.0 - std::pow(beta2, state.step());
      const AdamStep s{static_cast<float>(beta1),
                       static_cast<float>(1.0 - beta1),
                       static_cast<float>(beta2),
                       static_cast<float>(1.0 - beta2),
                       static_cast<float>(options.weight_decay()),
                       static_cast<float>(std::sqrt(bias_correction2)),
                       static_cast<float>(options.eps()),
                       static_cast<float>(options.lr() / bias_correction1)};
      // The loop walks parameter, gradient and moments in one memory order: the parameter's. A
      // gradient laid out otherwise (a convolution's, for a channels-last weight) is copied into it.
      const auto& raw_grad = p.grad();
      const auto same_order = raw_grad.strides() == p.strides() ? raw_grad : torch::empty_like(p).copy_(raw_grad);
      float* param = p.data_ptr<float>();
      const float* grad = same_order.data_ptr<float>();
      float* exp_avg = state.exp_avg().data_ptr<float>();
      float* exp_avg_sq = state.exp_avg_sq().data_ptr<float>();
      parallel_for(0, p.numel(), 1 << 15, [&](int64_t begin, int64_t end) {
        adam_update(param, grad, exp_avg, exp_avg_sq, begin, end, s);
      });
    }
  }
  return loss;
}

}  // namespace dltrain::optim
