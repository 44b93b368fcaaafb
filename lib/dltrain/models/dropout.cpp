#include "dltrain/models/dropout.h"

#include <torch/torch.h>

#include <algorithm>
#include <cmath>
#include <limits>

#include "dltrain/core/parallel.h"

namespace dltrain::models {
namespace {

// Chris Wellons' lowbias32: a 32-bit integer hash with near-ideal avalanche. 32-bit multiplies
// vectorize on AVX2, which 64-bit ones (SplitMix64) do not.
inline uint32_t lowbias32(uint32_t x) {
  x ^= x >> 16;
  x *= 0x7feb352dU;
  x ^= x >> 15;
  x *= 0x846ca68bU;
  x ^= x >> 16;
  return x;
}

// Keeps element i when its hash falls below `threshold` (keep * 2^32, below 2^32 since keep < 1;
// a 32-bit comparison vectorizes where a 64-bit one does not). Two hash rounds mix both halves of
// the 64-bit seed into every element.
__attribute__((target_clones("avx512f", "avx2", "default"))) void fill_mask(float* mask, int64_t begin, int64_t end,
                                                                             uint32_t seed_low, uint32_t seed_high,
                                                                             uint32_t threshold, float scale) {
  for (int64_t i = begin; i < end; ++i) {
    const uint32_t index = static_cast<uint32_t>(i);
    const uint32_t bits = lowbias32(lowbias32(index ^ seed_low) + seed_high);
    mask[i] = bits < threshold ? scale : 0.0f;
  }
}

}  // namespace

uint64_t draw_dropout_seed() {
  // From the default generator, so the config's seed (and a restored RNG state) decides it.
  return static_cast<uint64_t>(
      torch::randint(std::numeric_limits<int64_t>::max(), {1}, torch::TensorOptions(torch::kInt64)).item<int64_t>());
}

torch::Tensor dropout_mask(at::IntArrayRef sizes, double keep, uint64_t seed) {
  auto mask = torch::empty(sizes, torch::kFloat32);
  float* data = mask.data_ptr<float>();
  // keep == 1 never gets here (no dropout); just below 1 the threshold stops at 2^32 - 1.
  const auto threshold = static_cast<uint32_t>(std::min(std::ldexp(keep, 32), 4294967295.0));
  const auto scale = static_cast<float>(1.0 / keep);
  const auto low = static_cast<uint32_t>(seed), high = static_cast<uint32_t>(seed >> 32);
  // The hash sees the index mod 2^32: a 16 GiB activation would repeat its mask pattern.
  parallel_for(0, mask.numel(), 1 << 15, [&](int64_t begin, int64_t end) {
    fill_mask(data, begin, end, low, high, threshold, scale);
  });
  return mask;
}

DropoutImpl::DropoutImpl(double p) : p(p) {
  TORCH_CHECK(p >= 0.0 && p <= 1.0, "dropout probability must be in [0, 1], got ", p);
}

torch::Tensor DropoutImpl::forward(const torch::Tensor& input) {
  if (!is_training() || p == 0.0) return input;
  if (!input.device().is_cpu() || input.scalar_type() != torch::kFloat32 || p == 1.0)
    return torch::dropout(input, p, /*train=*/true);
  // The product's backward multiplies by the same mask: dropout's gradient.
  return input * dropout_mask(input.sizes(), 1.0 - p, draw_dropout_seed());
}

void DropoutImpl::pretty_print(std::ostream& stream) const { stream << "Dropout(p=" << p << ")"; }

}  // namespace dltrain::models
