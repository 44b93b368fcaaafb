#include "dltrain/models/dropout.h"

#include <torch/torch.h>

#include <algorithm>
#include <cmath>
#include <limits>

#include "dltrain/core/parallel.h"

namespace dltrain::models {
namespace {

constexpr int64_t kElementsPerShare = 1 << 15;  // mask elements per share: enough work to pay for a fork

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

// What decides a mask: which hashes keep their element, and what a kept element is scaled by.
struct MaskBits {
  uint32_t seed_low, seed_high;
  uint32_t threshold;  // keep * 2^32: below 2^32 since keep < 1, and a 32-bit comparison vectorizes
  float scale;         // 1 / keep
};

MaskBits mask_bits(double keep, uint64_t seed) {
  // keep == 1 never gets here (no dropout); just below 1 the threshold stops at 2^32 - 1.
  return {static_cast<uint32_t>(seed), static_cast<uint32_t>(seed >> 32),
          static_cast<uint32_t>(std::min(std::ldexp(keep, 32), 4294967295.0)), static_cast<float>(1.0 / keep)};
}

// The mask's value at flat index `index` (mod 2^32: a 16 GiB activation would repeat its pattern).
// Two hash rounds mix both halves of the 64-bit seed into every element.
inline float mask_value(uint32_t index, const MaskBits& bits) {
  return lowbias32(lowbias32(index ^ bits.seed_low) + bits.seed_high) < bits.threshold ? bits.scale : 0.0f;
}

// visit(i, the mask's value at element i) for the rows [begin, end) of a [rows, features] batch
// whose rows hold [channels, features / channels] samples in (features / channels, channels)
// memory order: element by element for plain rows (channels = 1), else pixel by pixel, each
// pixel's channels (contiguous in memory) a flat-index stride of features / channels apart.
// Inlined into each kernel below, so that it is vectorized for that kernel's instruction set.
template <class Visit>
__attribute__((always_inline)) inline void visit_mask(int64_t begin, int64_t end, int64_t features, int64_t channels,
                                                      const MaskBits& bits, const Visit& visit) {
  if (channels == 1) {
    for (int64_t i = begin * features; i < end * features; ++i) visit(i, mask_value(static_cast<uint32_t>(i), bits));
    return;
  }
  const int64_t pixels = features / channels;
  for (int64_t n = begin; n < end; ++n)
    for (int64_t p = 0; p < pixels; ++p) {
      const int64_t at = n * features + p * channels;
      const auto first = static_cast<uint32_t>(n * features + p);
      for (int64_t c = 0; c < channels; ++c) visit(at + c, mask_value(first + static_cast<uint32_t>(c * pixels), bits));
    }
}

// The mask itself, elements [begin, end).
__attribute__((target_clones("avx512f", "avx2", "default"))) void fill_mask(float* __restrict__ mask, int64_t begin,
                                                                             int64_t end, MaskBits bits) {
  visit_mask(begin, end, 1, 1, bits, [&](int64_t i, float m) { mask[i] = m; });
}

// Rows [begin, end) of apply_dropout_mask, into another matrix and in place: with one pointer
// the compiler cannot prove that reads and writes do not overlap and would not vectorize.
__attribute__((target_clones("avx512f", "avx2", "default"))) void mask_rows(const float* __restrict__ in,
                                                                             float* __restrict__ out, int64_t begin,
                                                                             int64_t end, int64_t features,
                                                                             int64_t channels, MaskBits bits) {
  visit_mask(begin, end, features, channels, bits, [&](int64_t i, float m) { out[i] = in[i] * m; });
}

__attribute__((target_clones("avx512f", "avx2", "default"))) void mask_rows_in_place(float* data, int64_t begin,
                                                                                      int64_t end, int64_t features,
                                                                                      int64_t channels, MaskBits bits) {
  visit_mask(begin, end, features, channels, bits, [&](int64_t i, float m) { data[i] *= m; });
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
  const MaskBits bits = mask_bits(keep, seed);
  parallel_for(0, mask.numel(), kElementsPerShare, [&](int64_t begin, int64_t end) { fill_mask(data, begin, end, bits); });
  return mask;
}

void apply_dropout_mask(const float* in, float* out, int64_t rows, int64_t features, int64_t channels, double keep,
                        uint64_t seed) {
  const MaskBits bits = mask_bits(keep, seed);
  const int64_t grain = std::max<int64_t>(1, kElementsPerShare / std::max<int64_t>(features, 1));
  parallel_for(0, rows, grain, [&](int64_t begin, int64_t end) {
    if (in == out) {
      mask_rows_in_place(out, begin, end, features, channels, bits);
    } else {
      mask_rows(in, out, begin, end, features, channels, bits);
    }
  });
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
