// Compile-time versions; DLTRAIN_VERSION comes from the CMake project().
#include "dltrain/core/version.h"

#include <torch/version.h>

namespace dltrain {

std::string dltrain_version() { return DLTRAIN_VERSION; }

std::string libtorch_version() { return TORCH_VERSION; }

bool built_with_cuda() {
#ifdef DLTRAIN_CUDA
  return true;
#else
  return false;
#endif
}

}  // namespace dltrain
