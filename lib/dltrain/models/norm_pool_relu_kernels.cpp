// The baseline build of the loops, and the choice between instruction sets.
#include "dltrain/models/norm_pool_relu_kernels.h"

#include "dltrain/models/norm_pool_relu_loops.h"

namespace dltrain::models {

const NormPoolReluKernels* baseline_norm_pool_relu_kernels(int64_t channels) { return kernels_for_channels<4>(channels); }

#if !defined(DLTRAIN_X86_KERNELS)
const NormPoolReluKernels* avx2_norm_pool_relu_kernels(int64_t /*channels*/) { return nullptr; }
const NormPoolReluKernels* avx512_norm_pool_relu_kernels(int64_t /*channels*/) { return nullptr; }
#endif

const NormPoolReluKernels* norm_pool_relu_kernels(int64_t channels) {
  if (const auto* widest = avx512_norm_pool_relu_kernels(channels)) return widest;
  if (const auto* wide = avx2_norm_pool_relu_kernels(channels)) return wide;
  return baseline_norm_pool_relu_kernels(channels);
}

}  // namespace dltrain::models
