// OpenBLAS picks its kernels for the CPU model once, when it loads. OpenBLAS 0.3.21 (Debian 12)
// does not know newer CPU models and falls back to its SSE3 "Prescott" kernels: on this project's
// AVX-512 build machine a float32 GEMM ran 4-5x slower than with its AVX-512 kernels, and every
// linear layer with it. OPENBLAS_CORETYPE would fix that, but it is read before main() runs.
#pragma once

#include <string>

namespace dltrain {

struct BlasKernels {
  std::string detected;  // what OpenBLAS chose at load ("" when OpenBLAS is not the loaded BLAS)
  std::string active;    // what runs now
};

// The best OpenBLAS x86-64 kernel family this CPU (and OS) supports, by the feature tests
// OpenBLAS itself falls back to: Cooperlake (AVX-512 BF16), SkylakeX (AVX-512), Haswell (AVX2),
// Sandybridge (AVX), else Prescott.
std::string best_openblas_kernels();

// When OpenBLAS chose kernels without AVX on a CPU with AVX2, re-runs its kernel selection for
// best_openblas_kernels(). A user's own OPENBLAS_CORETYPE is respected. Once per process, before
// any BLAS call.
BlasKernels select_blas_kernels();

}  // namespace dltrain
