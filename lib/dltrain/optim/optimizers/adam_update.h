// The element loop of FusedAdam, on plain arrays.
#pragma once

#include <cstdint>

namespace dltrain::optim {

// One step's constants, in float as LibTorch's own Adam applies them.
struct AdamStep {
  float beta1, one_minus_beta1, beta2, one_minus_beta2, weight_decay, bias_correction2_sqrt, eps, step_size;
};

// Adam's update on elements [begin, end), in the order torch::optim::Adam applies it:
// grad += wd * p; m = m * b1 + (1 - b1) * grad; v = v * b2 + (1 - b2) * grad^2;
// p -= step_size * m / (sqrt(v) / sqrt(bias_correction2) + eps).
void adam_update(float* param, const float* grad, float* exp_avg, float* exp_avg_sq, int64_t begin, int64_t end,
                 const AdamStep& step);

}  // namespace dltrain::optim
