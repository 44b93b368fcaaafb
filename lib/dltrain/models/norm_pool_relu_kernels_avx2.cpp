// The AVX2 + FMA build of the loops: compiled with -mavx2 -mfma, outside the unity batches and
// the LibTorch precompiled header, and only called on CPUs that report both.
#include "dltrain/models/norm_pool_relu_kernels.h"

#include "dltrain/models/norm_pool_relu_loops.h"

namespace dltrain::models {

const NormPoolReluKernels* avx2_norm_pool_relu_kernels(int64_t channels) {
  static const bool supported = __builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma");
  return supported ? kernels_for_channels<8>(channels) : nullptr;
}

}  // namespace dltrain::models
