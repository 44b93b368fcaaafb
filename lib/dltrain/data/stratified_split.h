// Seeded stratified selection: validation splits and subsets that keep each class's share.
#pragma once

#include <cstdint>
#include <vector>

namespace dltrain::data {

struct SplitIndices {
  std::vector<int64_t> train, val;  // indices into the labels, each sorted ascending
};

// Holds out round(val_fraction * N) samples, each class contributing its proportional share
// (largest-remainder rounding, so every class is within one sample of its exact share).
// val_fraction in [0, 1]; the same (labels, fraction, seed) gives the same split on any platform.
SplitIndices stratified_split(const std::vector<int64_t>& labels, double val_fraction, uint64_t seed);

// Exactly min(count, N) indices, sorted, with the class proportions of labels kept as above.
// count >= N returns every index; count must not be negative.
std::vector<int64_t> stratified_subset(const std::vector<int64_t>& labels, int64_t count, uint64_t seed);

}  // namespace dltrain::data
