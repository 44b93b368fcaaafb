// The training criterion from `loss`: cross-entropy with optional label smoothing.
#pragma once

#include <torch/types.h>

#include "dltrain/config/experiment_config.h"

namespace dltrain::train {

class LossFunction {
 public:
  explicit LossFunction(const config::LossConfig& config) : config_(config) {}

  // Mean loss over the batch (what backward() is called on).
  torch::Tensor mean(const torch::Tensor& logits, const torch::Tensor& targets) const;
  // Summed loss over the batch (for exact averages over a whole split).
  torch::Tensor sum(const torch::Tensor& logits, const torch::Tensor& targets) const;

 private:
  config::LossConfig config_;
};

}  // namespace dltrain::train
