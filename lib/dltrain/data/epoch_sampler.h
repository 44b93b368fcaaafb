// Which training samples an epoch visits, and in what order: every sample once (shuffled or
// not), class-balanced draws with replacement (oversampling), or a per-class cap
// (undersampling). Each epoch's indices are a pure function of (labels, options, seed, epoch),
// and with world_size > 1 every rank takes a disjoint, equally long share.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace dltrain::data {

struct SamplerOptions {
  std::string type = "all";      // all | weighted | undersample
  bool shuffle = false;          // all, undersample: random order (weighted draws are random anyway)
  std::vector<double> target;    // weighted: per-class share of the draws; empty = equal shares
  int64_t cap = 0;               // undersample: samples per class; 0 = the smallest class's count
  int64_t samples_per_epoch = 0; // weighted: draws per epoch; 0 = the number of labels
  int64_t rank = 0;              // this process's share of every epoch...
  int64_t world_size = 1;        // ...among world_size processes
  // Pad shares by wrapping around so that every rank gets as many samples (training steps stay
  // in lockstep); evaluation shares are not padded, so that no sample is counted twice.
  bool pad = true;
};

class EpochSampler {
 public:
  // Throws ConfigError (naming data.sampler.*) for a target that does not fit the classes.
  EpochSampler(const std::vector<int64_t>& labels, SamplerOptions options, uint64_t seed);

  // This rank's sample indices for the epoch, in visiting order.
  std::vector<int64_t> indices(int64_t epoch) const;
  // How many indices every epoch gives this rank.
  int64_t size() const;

 private:
  std::vector<int64_t> all_ranks(int64_t epoch) const;
  std::vector<int64_t> every_sample(uint64_t seed) const;
  std::vector<int64_t> weighted_draws(uint64_t seed) const;
  std::vector<int64_t> capped_classes(uint64_t seed) const;
  int64_t global_size() const;

  SamplerOptions options_;
  uint64_t seed_;
  int64_t num_samples_;
  std::vector<std::vector<int64_t>> members_;  // sample indices of each class
  std::vector<double> cumulative_;             // weighted: cumulative class shares, last = 1
  int64_t cap_ = 0;
};

}  // namespace dltrain::data
