// OpenBLAS must run kernels that use the CPU's vector units: when it falls back to pre-AVX
// kernels on a CPU it does not know, the thread budget re-selects them.
#include <catch2/catch.hpp>

#include <dlfcn.h>
#include <torch/torch.h>

#include <cstdlib>
#include <string>

#include "dltrain/core/blas_kernels.h"
#include "dltrain/core/thread_budget.h"

using namespace dltrain;

namespace {

std::string openblas_corename() {
  auto corename = reinterpret_cast<char* (*)()>(dlsym(RTLD_DEFAULT, "openblas_get_corename"));
  return corename ? corename() : "";
}

}  // namespace

#if defined(__x86_64__)
TEST_CASE("the best kernel family follows the CPU's features") {
  __builtin_cpu_init();
  const std::string best = best_openblas_kernels();
  if (__builtin_cpu_supports("avx512f") && __builtin_cpu_supports("avx512bw") && __builtin_cpu_supports("avx512vl")) {
    CHECK((best == "Cooperlake" || best == "SkylakeX"));
  } else if (__builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma")) {
    CHECK(best == "Haswell");
  } else {
    CHECK((best == "Sandybridge" || best == "Prescott"));
  }
}
#endif

TEST_CASE("after the thread budget, OpenBLAS runs AVX kernels on an AVX2 CPU") {
  const bool user_choice = std::getenv("OPENBLAS_CORETYPE") != nullptr;
  const ThreadBudget budget = apply_thread_budget(0);
  const std::string running = openblas_corename();
  if (running.empty()) {
    CHECK(budget.blas_kernels.active.empty());  // another BLAS: nothing to choose
    return;
  }
  CHECK(budget.blas_kernels.active == running);
#if defined(__x86_64__)
  __builtin_cpu_init();
  if (__builtin_cpu_supports("avx2") && !user_choice) {
    CHECK(running != "Prescott");
    CHECK(running != "Core2");
    CHECK(running != "Nehalem");
    if (budget.blas_kernels.detected != running) CHECK(running == best_openblas_kernels());
  }
#endif
  // And the re-selected kernels compute correct products.
  const auto a = torch::randn({67, 129}, torch::kDouble), b = torch::randn({129, 33}, torch::kDouble);
  const auto reference = (a.unsqueeze(2) * b.unsqueeze(0)).sum(1);
  CHECK(torch::allclose(a.to(torch::kFloat).mm(b.to(torch::kFloat)).to(torch::kDouble), reference, 1e-4, 1e-4));
}
