// Order matters: threads before any parallel work, seeds before any model is built.
#include "dltrain/core/runtime.h"

#include <spdlog/spdlog.h>

#include "dltrain/core/device.h"
#include "dltrain/core/seeding.h"

namespace dltrain {

Runtime setup_runtime(int64_t threads, uint64_t seed, const std::string& device) {
  Runtime runtime;
  runtime.threads = apply_thread_budget(threads);
  log_thread_budget(runtime.threads);
  seed_torch(seed);
  runtime.device = resolve_device(device);
  return runtime;
}

}  // namespace dltrain
