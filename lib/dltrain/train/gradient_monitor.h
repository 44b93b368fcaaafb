// Gradient health every train.log_every optimizer steps: per-layer gradient norm and
// update-to-weight ratio (rows with "step" in metrics.jsonl), and a warning when a layer's
// gradient norm stays below the vanishing or above the exploding threshold.
#pragma once

#include <torch/types.h>

#include <string>
#include <utility>
#include <vector>

#include "dltrain/config/experiment_config.h"
#include "dltrain/io/metrics_log.h"

namespace dltrain::train {

class GradientMonitor {
 public:
  GradientMonitor(const config::GradMonitorConfig& config, std::vector<std::pair<std::string, torch::Tensor>> params);

  // Before the optimizer step (gradients final, before clipping): norms and a weight snapshot.
  void before_step();
  // After the step: grad_norm/<layer>, update_ratio/<layer> and grad_norm/total.
  io::MetricRow after_step();

 private:
  struct Layer {
    std::string name;
    torch::Tensor param, before;
    double grad_norm = 0.0;
    int64_t low = 0, high = 0;  // consecutive checks below/above the thresholds
    bool warned_low = false, warned_high = false;
  };
  void watch(Layer& layer);

  config::GradMonitorConfig config_;
  std::vector<Layer> layers_;
  double total_ = 0.0;
};

}  // namespace dltrain::train
