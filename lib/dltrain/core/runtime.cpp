// Order matters: threads before any parallel work, seeds before any model is built.
#include "dltrain/core/runtime.h"

#include <spdlog/spdlog.h>

#include "dltrain/core/device.h"
#include "dltrain/core/seeding.h"

#ifdef DLTRAIN_CUDA
#include <c10/cuda/CUDAFunctions.h>
#endif

namespace dltrain {

Runtime setup_runtime(int64_t threads, uint64_t seed, const std::string& device) {
  Runtime runtime;
  runtime.threads = apply_thread_budget(threads);
  log_thread_budget(runtime.threads);
  seed_torch(seed);
  runtime.device = resolve_device(device);
#ifdef DLTRAIN_CUDA
  // Work launched without an explicit device (NCCL's streams, cuDNN workspaces) goes to the
  // current one: a rank of a multi-GPU job must not crowd GPU 0.
  if (runtime.device.is_cuda()) c10::cuda::set_device(runtime.device.index());
#endif
  return runtime;
}

}  // namespace dltrain
