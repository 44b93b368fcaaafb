// data.batch_augment: mixup and cutmix on whole training batches, after they reach the device.
// Every draw (whether to mix, which op, the share, the partners, the box) comes from
// (seed, epoch, batch index), so a resumed or re-run epoch mixes exactly as before.
#pragma once

#include <torch/types.h>

#include <cstdint>
#include <string>
#include <vector>

#include "dltrain/config/experiment_config.h"

namespace dltrain::data {

struct MixedBatch {
  torch::Tensor inputs;
  torch::Tensor targets;  // float [B, K] class probabilities when mixed; else the int64 labels [B]
  torch::Tensor labels;   // int64 [B]: the class with the larger share, for training accuracy
  std::string op;         // "mixup" | "cutmix" | "" (this batch is not mixed)
  double share = 1.0;     // each original sample's share of its mixed input and target
};

class BatchMixer {
 public:
  // sample_shape: [C, H, W] or [F]; cutmix needs images (ConfigError otherwise).
  BatchMixer(const config::BatchAugmentConfig& config, int64_t num_classes, const std::vector<int64_t>& sample_shape,
             uint64_t seed);

  bool enabled() const { return config_.mixup > 0 || config_.cutmix > 0; }

  // Inputs [B, ...] float and labels [B] int64, on any device.
  MixedBatch mix(const torch::Tensor& inputs, const torch::Tensor& labels, int64_t epoch, int64_t batch) const;

 private:
  config::BatchAugmentConfig config_;
  int64_t num_classes_;
  uint64_t seed_;
};

}  // namespace dltrain::data
