// Drives the optimizer's per-group learning rates: linear warmup, then the `scheduler.type`
// schedule. dltrain computes every lr itself (same numbers on LibTorch 1.13 and 2.x, exact on
// resume); the optimizer only receives set_lr calls.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "dltrain/config/experiment_config.h"
#include "dltrain/optim/lr_schedule.h"

namespace torch::optim {
class Optimizer;
}

namespace dltrain::optim {

class LrScheduler {
 public:
  // `steps_per_epoch` counts optimizer steps (batches / train.accumulate, rounded up). Sets the
  // lr of step 0. The optimizer's current group lrs are the base lrs.
  LrScheduler(const config::SchedulerConfig& config, torch::optim::Optimizer& optimizer, int64_t steps_per_epoch,
              int64_t epochs);
  ~LrScheduler();

  // After each optimizer step: sets the lr of the next step.
  void step();
  // At each epoch end: feeds `metric` (the value of monitor()) to reduce_on_plateau, once the
  // epoch held at least one step after the warmup.
  void epoch_end(double metric);
  bool needs_metric() const;
  const std::string& monitor() const { return config_.monitor; }

  int64_t steps_done() const { return step_; }
  int64_t warmup_steps() const { return warmup_; }
  // The lr of every group for step `step`, without changing anything (plateau: current state).
  std::vector<double> lrs_at(int64_t step) const;

  // Resume state: the step counter and the schedule's own state (reduce_on_plateau's counters).
  void save(torch::serialize::OutputArchive& archive) const;
  void load(torch::serialize::InputArchive& archive);

 private:
  void apply();

  config::SchedulerConfig config_;
  torch::optim::Optimizer& optimizer_;
  std::vector<double> base_lrs_;
  int64_t warmup_ = 0;
  int64_t step_ = 0;
  std::unique_ptr<LrSchedule> schedule_;
};

// The names of the registered schedules, in registry order.
std::vector<std::string> schedule_types();

}  // namespace dltrain::optim
