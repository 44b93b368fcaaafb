// Resolves the configured device against what this build and machine offer.
#include "dltrain/core/device.h"

#include <torch/cuda.h>

#include "dltrain/core/error.h"

namespace dltrain {

c10::Device resolve_device(const std::string& spec) {
  const bool cuda = torch::cuda::is_available();
  if (spec == "auto") return cuda ? c10::Device(c10::kCUDA, 0) : c10::Device(c10::kCPU);
  if (spec == "cpu") return c10::Device(c10::kCPU);
  if (spec.rfind("cuda", 0) == 0) {
    if (!cuda) {
      throw ConfigError("device: \"" + spec + "\" asked for, but this build or machine has no CUDA device; "
                        "use device: cpu or auto");
    }
    int index = 0;
    if (spec.size() > 5) index = std::stoi(spec.substr(5));
    const int count = static_cast<int>(torch::cuda::device_count());
    if (index >= count) {
      throw ConfigError("device: \"" + spec + "\" asked for, but only " + std::to_string(count) +
                        " CUDA device(s) are visible");
    }
    return c10::Device(c10::kCUDA, static_cast<c10::DeviceIndex>(index));
  }
  throw ConfigError("device: expected auto, cpu, cuda or cuda:N, got \"" + spec + "\"");
}

}  // namespace dltrain
