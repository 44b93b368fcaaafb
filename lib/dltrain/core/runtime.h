// Process set-up shared by every command that computes: thread budget, seeds, device.
#pragma once

#include <c10/core/Device.h>

#include <cstdint>
#include <string>

#include "dltrain/core/thread_budget.h"

namespace dltrain {

struct Runtime {
  ThreadBudget threads;
  c10::Device device{c10::kCPU};
};

Runtime setup_runtime(int64_t threads, uint64_t seed, const std::string& device);

}  // namespace dltrain
