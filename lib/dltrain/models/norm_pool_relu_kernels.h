// The loops of norm_pool_relu, per channel count and instruction set. They are built for every
// x86-64 (SSE2; NEON elsewhere), for AVX2 + FMA and for AVX-512, and the widest the CPU runs is
// picked at run time: the statistics-and-extremes pass does about a dozen vector operations per
// value (and the fused first stage a convolution too), so vector width shows in the step.
#pragma once

#include <cstdint>

namespace dltrain::models {

// See norm_pool_relu_loops.h for what each computes.
struct NormPoolReluKernels {
  void (*scan_image)(const float* x, int64_t height, int64_t width, const float* shift_in, double* first,
                     double* second, float* largest, float* smallest, uint8_t* positions);
  void (*pool_from_extremes)(float* largest, const float* smallest, uint8_t* positions, int64_t count,
                             const float* scale, const float* shift, float* out);
  void (*add_gradient_sums)(const float* grad, const float* x_at_max, const uint8_t* argmax, int64_t outputs,
                            const float* mean, double* sum_dy, double* sum_dy_xmu);
  void (*input_gradient_rows)(const float* x_top, float* dx_top, int64_t width, int64_t out_width, const float* grad,
                              const uint8_t* argmax, const float* p, const float* q, const float* r);
  // The first stage's variants: a 3x3 convolution of a one-channel image, computed on the fly.
  // `padded` is scratch for (height + 2) x (width + 2) floats.
  void (*conv_scan_image)(const float* image, int64_t height, int64_t width, const float* weight,
                          const float* shift_in, double* first, double* second, float* largest, float* smallest,
                          uint8_t* positions, float* padded);
  void (*conv_weight_gradient)(const float* image, int64_t height, int64_t width, const float* weight,
                               const float* grad, const uint8_t* argmax, const float* p, const float* q,
                               const float* r, double* weight_grad, float* padded);
};

// The widest kernels this CPU runs for `channels` channels (8, 16, 32, 64, 128 or 256); null for
// another count.
const NormPoolReluKernels* norm_pool_relu_kernels(int64_t channels);

// One instruction set's kernels: baseline always; AVX2 and AVX-512 null where they were not built
// (not x86-64) or this CPU lacks them, and AVX-512 also for a channel count not a multiple of 16.
const NormPoolReluKernels* baseline_norm_pool_relu_kernels(int64_t channels);
const NormPoolReluKernels* avx2_norm_pool_relu_kernels(int64_t channels);
const NormPoolReluKernels* avx512_norm_pool_relu_kernels(int64_t channels);

}  // namespace dltrain::models
