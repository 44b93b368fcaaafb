// Streams: each epoch gets mix_seed(seed, epoch) — the same stream the plain shuffle has always
// used, so `all` orders are unchanged — and each class of an undersampled epoch a sub-stream.
#include "dltrain/data/epoch_sampler.h"

#include <algorithm>
#include <numeric>
#include <random>

#include "dltrain/core/error.h"
#include "dltrain/data/seeded_shuffle.h"

namespace dltrain::data {
namespace {

// A uniform double in [0, 1) from the top 53 bits, the same on every platform.
double uniform_unit(std::mt19937_64& engine) { return double(engine() >> 11) * 0x1.0p-53; }

}  // namespace

EpochSampler::EpochSampler(const std::vector<int64_t>& labels, SamplerOptions options, uint64_t seed)
    : options_(std::move(options)), seed_(seed), num_samples_(int64_t(labels.size())) {
  const int64_t num_classes = labels.empty() ? 0 : *std::max_element(labels.begin(), labels.end()) + 1;
  members_.resize(size_t(num_classes));
  for (size_t i = 0; i < labels.size(); ++i) members_[size_t(labels[i])].push_back(int64_t(i));

  if (options_.type == "weighted") {
    if (!options_.target.empty() && int64_t(options_.target.size()) != num_classes) {
      throw ConfigError("data.sampler.target: expected " + std::to_string(num_classes) +
                        " shares (one per class), got " + std::to_string(options_.target.size()));
    }
    double total = 0.0;
    for (size_t c = 0; c < members_.size(); ++c) {
      const double share = members_[c].empty() ? 0.0 : (options_.target.empty() ? 1.0 : options_.target[c]);
      total += share;
      cumulative_.push_back(total);
    }
    if (total <= 0.0) {
      throw ConfigError("data.sampler.target: expected a positive share for at least one class of the training data");
    }
    for (double& edge : cumulative_) edge /= total;
  } else if (options_.type == "undersample") {
    int64_t smallest = num_samples_;
    for (const auto& pool : members_) {
      if (!pool.empty()) smallest = std::min<int64_t>(smallest, int64_t(pool.size()));
    }
    cap_ = options_.cap > 0 ? options_.cap : smallest;
  } else if (options_.type != "all") {
    throw ConfigError("data.sampler.type: expected all, weighted or undersample, got \"" + options_.type + "\"");
  }
}

int64_t EpochSampler::global_size() const {
  if (options_.type == "weighted") return options_.samples_per_epoch > 0 ? options_.samples_per_epoch : num_samples_;
  if (options_.type == "undersample") {
    int64_t total = 0;
    for (const auto& pool : members_) total += std::min<int64_t>(int64_t(pool.size()), cap_);
    return total;
  }
  return num_samples_;
}

int64_t EpochSampler::size() const {
  // Ranks pad to the same length so that all of them take the same number of steps; unpadded
  // (evaluation), rank r takes positions r, r + world, ... only.
  const int64_t total = global_size();
  if (!options_.pad) return std::max<int64_t>(0, (total - options_.rank + options_.world_size - 1) / options_.world_size);
  return (total + options_.world_size - 1) / options_.world_size;
}

std::vector<int64_t> EpochSampler::indices(int64_t epoch) const {
  const std::vector<int64_t> global = all_ranks(epoch);
  std::vector<int64_t> share;
  const int64_t per_rank = size();
  share.reserve(size_t(per_rank));
  for (int64_t i = 0; i < per_rank && !global.empty(); ++i) {
    const int64_t position = (i * options_.world_size + options_.rank) % int64_t(global.size());
    share.push_back(global[size_t(position)]);
  }
  return share;
}

std::vector<int64_t> EpochSampler::all_ranks(int64_t epoch) const {
  const uint64_t seed = mix_seed(seed_, uint64_t(epoch));
  if (options_.type == "weighted") return weighted_draws(seed);
  if (options_.type == "undersample") return capped_classes(seed);
  return every_sample(seed);
}

std::vector<int64_t> EpochSampler::every_sample(uint64_t seed) const {
  std::vector<int64_t> order(static_cast<size_t>(num_samples_));
  std::iota(order.begin(), order.end(), 0);
  if (options_.shuffle) seeded_shuffle(order, seed);
  return order;
}

std::vector<int64_t> EpochSampler::weighted_draws(uint64_t seed) const {
  // Class first (by its share), then a sample of that class: exact shares, O(log k) per draw.
  std::mt19937_64 engine(seed);
  std::vector<int64_t> draws(static_cast<size_t>(global_size()));
  for (auto& draw : draws) {
    const double u = uniform_unit(engine);
    auto c = size_t(std::upper_bound(cumulative_.begin(), cumulative_.end(), u) - cumulative_.begin());
    c = std::min(c, cumulative_.size() - 1);
    while (c > 0 && members_[c].empty()) --c;  // only reachable through rounding at the very top
    draw = members_[c][uniform_below(engine, members_[c].size())];
  }
  return draws;
}

std::vector<int64_t> EpochSampler::capped_classes(uint64_t seed) const {
  std::vector<int64_t> kept;
  for (size_t c = 0; c < members_.size(); ++c) {
    std::vector<int64_t> pool = members_[c];
    seeded_shuffle(pool, mix_seed(seed, c));
    pool.resize(std::min<size_t>(pool.size(), size_t(cap_)));
    kept.insert(kept.end(), pool.begin(), pool.end());
  }
  if (options_.shuffle) {
    seeded_shuffle(kept, mix_seed(seed, members_.size()));
  } else {
    std::sort(kept.begin(), kept.end());
  }
  return kept;
}

}  // namespace dltrain::data
