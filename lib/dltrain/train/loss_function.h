// The training criterion from `loss`: cross-entropy or focal loss, each with optional label
// smoothing and per-class weights, on hard labels or soft targets.
#pragma once

#include <torch/types.h>

#include <vector>

#include "dltrain/config/experiment_config.h"

namespace dltrain::train {

class LossFunction {
 public:
  // class_weights: one per class (from class_weights_for), or empty for none.
  explicit LossFunction(const config::LossConfig& config, const std::vector<double>& class_weights = {});

  // Mean loss over the batch (what backward() is called on). targets are int64 class indices
  // [B], or float class probabilities [B, K] (soft targets, as mixup and cutmix make).
  //   cross_entropy: torch's definition — with weights, hard labels average by the summed
  //     weights of the targets, soft targets by the batch size.
  //   focal (Lin et al. 2017): mean over samples of -sum_c w_c q_c (1 - p_c)^gamma log p_c with
  //     q the (smoothed) target distribution; gamma 0 and no weights is cross-entropy.
  torch::Tensor mean(const torch::Tensor& logits, const torch::Tensor& targets) const;

 private:
  torch::Tensor focal(const torch::Tensor& logits, const torch::Tensor& targets) const;
  const torch::Tensor& weights_on(const torch::Device& device) const;

  config::LossConfig config_;
  mutable torch::Tensor weights_;  // float [K] or undefined; moved to the logits' device once
};

}  // namespace dltrain::train
