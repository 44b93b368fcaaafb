// dltrain owns the process's thread budget: LibTorch's OpenMP pool, OpenBLAS's own pool and
// the loader threads. Left alone, OpenBLAS and OpenMP oversubscribe the cores.
#pragma once

#include <cstdint>
#include <string>

#include "dltrain/core/blas_kernels.h"

namespace dltrain {

struct ThreadBudget {
  int compute = 1;          // at::set_num_threads (OpenMP intra-op)
  int blas = 1;             // openblas_set_num_threads, when OpenBLAS is the loaded BLAS
  bool blas_sized = false;  // false when the loaded BLAS exposes no thread control
  std::string blas_library; // path of the libblas mapped into this process ("" if unknown)
  BlasKernels blas_kernels;  // OpenBLAS's kernel family, as detected at load and as running
};

// Cores this process may run on (sched_getaffinity), at least 1.
int available_cores();

// requested_threads 0 means one compute thread per available core.
ThreadBudget apply_thread_budget(int64_t requested_threads);

// Logs the budget, and warns when the reference (slow) BLAS is the one loaded.
void log_thread_budget(const ThreadBudget& budget);

}  // namespace dltrain
