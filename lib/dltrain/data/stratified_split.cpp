// Stratified selection: per-class quotas by largest remainder, members drawn by a seeded
// Fisher–Yates over mt19937_64, so results match across standard libraries.
#include "dltrain/data/stratified_split.h"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <map>
#include <random>

#include "dltrain/core/error.h"
#include "dltrain/data/seeded_shuffle.h"

namespace dltrain::data {
namespace {

struct Selection {
  std::vector<int64_t> chosen, rest;  // both sorted ascending
};

// Chooses `total` of the N indices so that every class gets floor or ceil of its exact share
// total * n_c / N. The leftover seats after flooring go to the largest remainders; ties are
// broken by the seed, not by label order, so no class is systematically favoured.
Selection choose_stratified(const std::vector<int64_t>& labels, int64_t total, uint64_t seed) {
  std::map<int64_t, std::vector<int64_t>> members;  // label -> indices; ordered, hence deterministic
  for (size_t i = 0; i < labels.size(); ++i) members[labels[i]].push_back(static_cast<int64_t>(i));

  struct Quota {
    std::vector<int64_t>* indices;
    int64_t take;
    int64_t remainder;  // of total * n_c, in units of 1/N
    uint64_t tie_break;
  };
  std::mt19937_64 engine(seed);
  const auto n = static_cast<__int128>(labels.size());
  std::vector<Quota> quotas;
  int64_t assigned = 0;
  for (auto& [label, indices] : members) {
    const __int128 exact = static_cast<__int128>(total) * static_cast<__int128>(indices.size());
    quotas.push_back({&indices, static_cast<int64_t>(exact / n), static_cast<int64_t>(exact % n), engine()});
    assigned += quotas.back().take;
  }
  std::vector<Quota*> by_remainder;
  for (auto& quota : quotas) by_remainder.push_back(&quota);
  std::sort(by_remainder.begin(), by_remainder.end(), [](const Quota* a, const Quota* b) {
    return a->remainder != b->remainder ? a->remainder > b->remainder : a->tie_break < b->tie_break;
  });
  // Fewer leftover seats than classes, and only classes with a non-zero remainder receive one.
  for (int64_t i = 0; i < total - assigned; ++i) ++by_remainder[static_cast<size_t>(i)]->take;

  Selection selection;
  for (auto& quota : quotas) {
    shuffle_with(*quota.indices, engine);
    const auto cut = quota.indices->begin() + quota.take;
    selection.chosen.insert(selection.chosen.end(), quota.indices->begin(), cut);
    selection.rest.insert(selection.rest.end(), cut, quota.indices->end());
  }
  std::sort(selection.chosen.begin(), selection.chosen.end());
  std::sort(selection.rest.begin(), selection.rest.end());
  return selection;
}

}  // namespace

SplitIndices stratified_split(const std::vector<int64_t>& labels, double val_fraction, uint64_t seed) {
  if (!(val_fraction >= 0.0 && val_fraction <= 1.0)) {
    throw ConfigError(fmt::format("data.val_split: expected a fraction in [0, 1], got {}", val_fraction));
  }
  const auto val_total = static_cast<int64_t>(std::llround(val_fraction * static_cast<double>(labels.size())));
  Selection selection = choose_stratified(labels, val_total, seed);
  return {std::move(selection.rest), std::move(selection.chosen)};
}

std::vector<int64_t> stratified_subset(const std::vector<int64_t>& labels, int64_t count, uint64_t seed) {
  if (count < 0) throw ConfigError(fmt::format("data.subset: expected a non-negative sample count, got {}", count));
  const auto n = static_cast<int64_t>(labels.size());
  return choose_stratified(labels, std::min(count, n), seed).chosen;
}

}  // namespace dltrain::data
