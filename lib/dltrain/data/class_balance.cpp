// Per-class picks reuse the portable seeded shuffle, so a subset is the same on any platform.
#include "dltrain/data/class_balance.h"

#include <algorithm>
#include <cmath>

#include "dltrain/data/seeded_shuffle.h"

namespace dltrain::data {

std::vector<int64_t> class_counts(const std::vector<int64_t>& labels, int64_t num_classes) {
  std::vector<int64_t> counts(static_cast<size_t>(num_classes), 0);
  for (int64_t label : labels) ++counts[static_cast<size_t>(label)];
  return counts;
}

std::vector<double> long_tail_fractions(int64_t num_classes, double imbalance_ratio) {
  std::vector<double> fractions(static_cast<size_t>(num_classes), 1.0);
  for (int64_t c = 1; c < num_classes; ++c) {
    fractions[static_cast<size_t>(c)] = std::pow(imbalance_ratio, -double(c) / double(num_classes - 1));
  }
  return fractions;
}

std::vector<int64_t> class_fraction_subset(const std::vector<int64_t>& labels, const std::vector<double>& fractions,
                                           uint64_t seed) {
  std::vector<std::vector<int64_t>> members(fractions.size());
  for (size_t i = 0; i < labels.size(); ++i) members[static_cast<size_t>(labels[i])].push_back(int64_t(i));
  std::vector<int64_t> kept;
  for (size_t c = 0; c < members.size(); ++c) {
    auto& pool = members[c];
    if (pool.empty()) continue;
    const auto keep = std::max<size_t>(1, static_cast<size_t>(std::llround(fractions[c] * double(pool.size()))));
    seeded_shuffle(pool, mix_seed(seed, c));
    kept.insert(kept.end(), pool.begin(), pool.begin() + static_cast<std::ptrdiff_t>(std::min(keep, pool.size())));
  }
  std::sort(kept.begin(), kept.end());
  return kept;
}

}  // namespace dltrain::data
