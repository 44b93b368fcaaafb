#include "dltrain/optim/optimizers/adam_update.h"

#include <cmath>

namespace dltrain::optim {

__attribute__((target_clones("avx512f", "avx2", "default"))) void adam_update(float* __restrict__ param,
                                                                               const float* __restrict__ grad,
                                                                               float* __restrict__ exp_avg,
                                                                               float* __restrict__ exp_avg_sq,
                                                                               int64_t begin, int64_t end,
                                                                               const AdamStep& step) {
  const AdamStep s = step;
  for (int64_t i = begin; i < end; ++i) {
    const float g = s.weight_decay != 0.0f ? grad[i] + param[i] * s.weight_decay : grad[i];
    const float m = exp_avg[i] * s.beta1 + g * s.one_minus_beta1;
    const float v = exp_avg_sq[i] * s.beta2 + s.one_minus_beta2 * g * g;
    exp_avg[i] = m;
    exp_avg_sq[i] = v;
    param[i] -= s.step_size * (m / (std::sqrt(v) / s.bias_correction2_sqrt + s.eps));
  }
}

}  // namespace dltrain::optim
