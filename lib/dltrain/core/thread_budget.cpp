// Sizes LibTorch's and OpenBLAS's pools. OpenBLAS is found at run time (dlsym), so the binary
// works with any libblas.so.3 the system alternative points to.
#include "dltrain/core/thread_budget.h"

#include <ATen/Parallel.h>
#include <dlfcn.h>
#include <sched.h>
#include <spdlog/spdlog.h>

#include <fstream>
#include <mutex>

namespace dltrain {
namespace {

std::string mapped_blas_library() {
  std::ifstream maps("/proc/self/maps");
  std::string line;
  while (std::getline(maps, line)) {
    auto slash = line.find('/');
    if (slash == std::string::npos) continue;
    std::string path = line.substr(slash);
    if (path.find("libblas.so") != std::string::npos || path.find("libopenblas") != std::string::npos) {
      return path;
    }
  }
  return "";
}

}  // namespace

int available_cores() {
  cpu_set_t set;
  CPU_ZERO(&set);
  if (sched_getaffinity(0, sizeof(set), &set) == 0) {
    int n = CPU_COUNT(&set);
    if (n > 0) return n;
  }
  return 1;
}

ThreadBudget apply_thread_budget(int64_t requested_threads) {
  ThreadBudget budget;
  budget.compute = requested_threads > 0 ? static_cast<int>(requested_threads) : available_cores();
  at::set_num_threads(budget.compute);
  // The inter-op pool serves only TorchScript's fork/wait, which dltrain does not use: one
  // thread, instead of one per core competing with the compute threads. LibTorch accepts this
  // once per process, before the pool starts.
  static std::once_flag interop_once;
  std::call_once(interop_once, [] { at::set_num_interop_threads(1); });
  // OpenBLAS runs single-threaded, in the thread that calls it. With its own pool of `compute`
  // threads, GEMMs ran while LibTorch's OpenMP workers still spun at their last barrier, and the
  // two pools fought for the cores: on 2 cores the quickstart CNN trained about 1.5x and the
  // benchmark MLP about 2x faster with one BLAS thread (scripts/bench/compare.py, README).
  budget.blas = 1;
  using SetThreads = void (*)(int);
  if (auto set_blas_threads = reinterpret_cast<SetThreads>(dlsym(RTLD_DEFAULT, "openblas_set_num_threads"))) {
    set_blas_threads(budget.blas);
    budget.blas_sized = true;
  }
  budget.blas_library = mapped_blas_library();
  budget.blas_kernels = select_blas_kernels();
  return budget;
}

void log_thread_budget(const ThreadBudget& budget) {
  spdlog::debug("threads: compute {}, BLAS {} ({}), BLAS library {}", budget.compute, budget.blas,
                budget.blas_sized ? "OpenBLAS" : "not sized", budget.blas_library.empty() ? "unknown" : budget.blas_library);
  const auto& kernels = budget.blas_kernels;
  if (kernels.active != kernels.detected) {
    spdlog::debug("OpenBLAS kernels: {} (it chose {} at load: it does not know this CPU model)", kernels.active,
                  kernels.detected);
  }
  if (budget.blas_library.find("/blas/") != std::string::npos) {
    spdlog::warn("the reference BLAS ({}) is loaded: matrix products run many times slower; "
                 "install libopenblas0-pthread (scripts/setup.sh does)", budget.blas_library);
  }
}

}  // namespace dltrain
