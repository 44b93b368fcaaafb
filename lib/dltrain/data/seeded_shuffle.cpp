// Fisher–Yates over mt19937_64 with our own bounded draw, so orders are portable.
#include "dltrain/data/seeded_shuffle.h"

#include <utility>

namespace dltrain::data {

uint64_t mix_seed(uint64_t seed, uint64_t stream) {
  // splitmix64 finaliser over the pair: nearby (seed, stream) pairs give unrelated seeds.
  uint64_t z = seed + 0x9E3779B97F4A7C15ULL * (stream + 1);
  z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
  z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
  return z ^ (z >> 31);
}

uint64_t uniform_below(std::mt19937_64& engine, uint64_t bound) {
  unsigned __int128 product = static_cast<unsigned __int128>(engine()) * bound;
  uint64_t low = static_cast<uint64_t>(product);
  if (low < bound) {
    const uint64_t threshold = (0 - bound) % bound;
    while (low < threshold) {
      product = static_cast<unsigned __int128>(engine()) * bound;
      low = static_cast<uint64_t>(product);
    }
  }
  return static_cast<uint64_t>(product >> 64);
}

void shuffle_with(std::vector<int64_t>& values, std::mt19937_64& engine) {
  for (size_t i = values.size(); i > 1; --i) std::swap(values[i - 1], values[uniform_below(engine, i)]);
}

void seeded_shuffle(std::vector<int64_t>& values, uint64_t seed) {
  std::mt19937_64 engine(seed);
  shuffle_with(values, engine);
}

}  // namespace dltrain::data
