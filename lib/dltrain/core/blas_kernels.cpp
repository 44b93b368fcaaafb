#include "dltrain/core/blas_kernels.h"

#include <dlfcn.h>
#if defined(__x86_64__)
#include <cpuid.h>
#endif

#include <cstdlib>
#include <mutex>
#include <set>

namespace dltrain {
namespace {

#if defined(__x86_64__)
bool cpu_has_avx512_bf16() {
  unsigned eax = 0, ebx = 0, ecx = 0, edx = 0;
  return __get_cpuid_count(7, 1, &eax, &ebx, &ecx, &edx) && (eax & (1u << 5)) != 0;
}
#endif

// OpenBLAS's x86-64 kernel families that predate AVX (its fallbacks for unknown models).
bool lacks_avx(const std::string& kernels) {
  static const std::set<std::string> pre_avx = {"Katmai", "Coppermine", "Northwood", "Prescott", "Banias", "Atom",
                                                "Core2", "Penryn", "Dunnington", "Nehalem", "Athlon", "Opteron",
                                                "Opteron_SSE3", "Barcelona", "Nano", "Bobcat", "Unknown"};
  return pre_avx.count(kernels) != 0;
}

template <class Function>
Function blas_symbol(const char* name) {
  return reinterpret_cast<Function>(dlsym(RTLD_DEFAULT, name));
}

std::string active_kernels() {
  const auto corename = blas_symbol<char* (*)()>("openblas_get_corename");
  return corename ? std::string(corename()) : "";
}

BlasKernels reselect() {
  BlasKernels kernels;
  kernels.detected = kernels.active = active_kernels();
  const auto quit = blas_symbol<void (*)()>("gotoblas_dynamic_quit");
  const auto init = blas_symbol<void (*)()>("gotoblas_dynamic_init");
  const std::string best = best_openblas_kernels();
  if (kernels.detected.empty() || best.empty() || std::getenv("OPENBLAS_CORETYPE") != nullptr || !quit || !init ||
      !lacks_avx(kernels.detected) || lacks_avx(best)) {
    return kernels;
  }
  // Kept in the environment, so worker processes (dltrain run --nproc-per-node) start right.
  setenv("OPENBLAS_CORETYPE", best.c_str(), 1);
  quit();
  init();
  kernels.active = active_kernels();
  return kernels;
}

}  // namespace

std::string best_openblas_kernels() {
#if !defined(__x86_64__)
  return "";  // OpenBLAS detects other architectures without this fallback
#else
  __builtin_cpu_init();
  if (__builtin_cpu_supports("avx512f") && __builtin_cpu_supports("avx512bw") && __builtin_cpu_supports("avx512vl")) {
    return cpu_has_avx512_bf16() ? "Cooperlake" : "SkylakeX";
  }
  if (__builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma")) return "Haswell";
  if (__builtin_cpu_supports("avx")) return "Sandybridge";
  return "Prescott";
#endif
}

BlasKernels select_blas_kernels() {
  static std::once_flag once;
  static BlasKernels kernels;
  std::call_once(once, [] { kernels = reselect(); });
  return kernels;
}

}  // namespace dltrain
