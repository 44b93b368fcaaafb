// The AVX-512 build of the loops (16 lanes; compiled with -mavx512f -mavx512bw -mavx512vl
// -mavx512dq -mfma, like the AVX2 one outside the unity batches and the precompiled header), for
// channel counts that are multiples of 16 on CPUs that report AVX-512 F, BW, VL and DQ.
#include "dltrain/models/norm_pool_relu_kernels.h"

#include "dltrain/models/norm_pool_relu_loops.h"

namespace dltrain::models {

const NormPoolReluKernels* avx512_norm_pool_relu_kernels(int64_t channels) {
  static const bool supported = __builtin_cpu_supports("avx512f") && __builtin_cpu_supports("avx512bw") &&
                                __builtin_cpu_supports("avx512vl") && __builtin_cpu_supports("avx512dq");
  return supported ? kernels_for_channels<16>(channels) : nullptr;
}

}  // namespace dltrain::models
