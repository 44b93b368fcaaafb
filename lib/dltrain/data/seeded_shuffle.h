// Portable seeded randomness for sample orders: the same seed gives the same order with any
// standard library (std::shuffle and std::uniform_int_distribution differ between them).
#pragma once

#include <cstdint>
#include <random>
#include <vector>

namespace dltrain::data {

// Combines a base seed with a stream number (epoch, split purpose) into an independent seed.
uint64_t mix_seed(uint64_t seed, uint64_t stream);

// Unbiased integer in [0, bound) from a 64-bit engine (Lemire's method with rejection).
uint64_t uniform_below(std::mt19937_64& engine, uint64_t bound);

// Fisher–Yates shuffle driven by uniform_below, continuing an engine's stream.
void shuffle_with(std::vector<int64_t>& values, std::mt19937_64& engine);

// The same with a fresh engine seeded by `seed`.
void seeded_shuffle(std::vector<int64_t>& values, uint64_t seed);

}  // namespace dltrain::data
