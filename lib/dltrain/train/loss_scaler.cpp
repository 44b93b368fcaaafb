// The fused ATen kernels GradScaler uses, so unscale + overflow check is one pass.
#include "dltrain/train/loss_scaler.h"

#include <torch/torch.h>

namespace dltrain::train {

LossScaler::LossScaler(const c10::Device& device, double initial_scale)
    : scale_(torch::full({1}, initial_scale, torch::TensorOptions().dtype(torch::kFloat32).device(device))),
      growth_tracker_(torch::zeros({1}, torch::TensorOptions().dtype(torch::kInt32).device(device))),
      found_inf_(torch::zeros({1}, torch::TensorOptions().dtype(torch::kFloat32).device(device))) {}

bool LossScaler::unscale(const std::vector<torch::Tensor>& grads) {
  found_inf_.zero_();
  const auto inv_scale = scale_.to(torch::kFloat64).reciprocal().to(torch::kFloat32);
  at::_amp_foreach_non_finite_check_and_unscale_(grads, found_inf_, inv_scale);
  return found_inf_.item<float>() != 0.0f;
}

void LossScaler::update() { at::_amp_update_scale_(scale_, growth_tracker_, found_inf_, 2.0, 0.5, 2000); }

double LossScaler::current_scale() const { return scale_.item<double>(); }

}  // namespace dltrain::train
