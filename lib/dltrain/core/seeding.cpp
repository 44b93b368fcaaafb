// Global LibTorch generators: the CPU one (init, dropout) and every CUDA one.
#include "dltrain/core/seeding.h"

#include <torch/cuda.h>
#include <torch/utils.h>

namespace dltrain {

void seed_torch(uint64_t seed) {
  torch::manual_seed(seed);
  if (torch::cuda::is_available()) torch::cuda::manual_seed_all(seed);
}

}  // namespace dltrain
