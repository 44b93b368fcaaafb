// Early stopping on any logged metric: stop after `patience` epochs in which the metric did not
// beat its best by more than min_delta. Its counters travel in resume checkpoints.
#pragma once

#include <cstdint>
#include <string>

#include "dltrain/config/experiment_config.h"
#include "dltrain/io/resumable_state.h"

namespace dltrain::train {

class EarlyStopping : public io::ResumableState {
 public:
  explicit EarlyStopping(config::EarlyStoppingConfig config);

  bool enabled() const { return !config_.monitor.empty(); }
  const config::EarlyStoppingConfig& config() const { return config_; }

  // Judges one epoch's value of the monitored metric (a non-finite value never improves).
  // Returns true when it is the new best.
  bool observe(int64_t epoch, double value);

  bool should_stop() const { return stopped_; }
  int64_t best_epoch() const { return best_epoch_; }  // 0 before the first finite value
  double best_value() const { return best_value_; }
  int64_t epochs_without_improvement() const { return bad_epochs_; }
  std::string reason() const;  // why it stopped, for logs and summary.json

  void save(torch::serialize::OutputArchive& archive) const override;
  void load(torch::serialize::InputArchive& archive) override;

 private:
  config::EarlyStoppingConfig config_;
  double best_value_ = 0.0;
  int64_t best_epoch_ = 0, bad_epochs_ = 0, last_epoch_ = 0;
  bool stopped_ = false;
};

}  // namespace dltrain::train
