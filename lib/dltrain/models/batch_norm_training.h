// What dltrain's fused training operators (norm_pool_relu, fused_head) need of a batch norm whose
// training forward they run themselves.
#pragma once

#include <torch/types.h>

#include <cstdint>

namespace dltrain::models {

// Whether `norm` (a BatchNorm1d or BatchNorm2d) is training with affine weights, running
// statistics and a momentum (not a cumulative average), its four tensors float32 CPU vectors of
// `features` values.
template <class BatchNormImpl>
bool fusable_batch_norm(const BatchNormImpl& norm, int64_t features) {
  const auto& o = norm.options;
  if (!norm.is_training() || !o.affine() || !o.track_running_stats() || !o.momentum().has_value() ||
      o.num_features() != features)
    return false;
  for (const torch::Tensor* t : {&norm.weight, &norm.bias, &norm.running_mean, &norm.running_var}) {
    if (!t->defined() || !t->device().is_cpu() || t->scalar_type() != torch::kFloat32 || t->dim() != 1 ||
        t->numel() != features || !t->is_contiguous())
      return false;
  }
  return true;
}

}  // namespace dltrain::models
