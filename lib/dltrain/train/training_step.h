// One training batch: forward (autocast under train.amp), loss + L1/L2 penalties, backward
// with the loss scaled for accumulation, and -- when the accumulation group is complete --
// non-finite handling, clipping, the optimizer step, the scheduler step, the EMA update and
// the gradient health monitor. The epoch loop calls run() once per batch.
#pragma once

#include <c10/core/Device.h>
#include <torch/types.h>

#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "dltrain/config/experiment_config.h"
#include "dltrain/io/metrics_log.h"
#include "dltrain/train/loss_function.h"

namespace torch::nn {
class Module;
}
namespace torch::optim {
class Optimizer;
}
namespace torch::serialize {
class OutputArchive;
class InputArchive;
}  // namespace torch::serialize
namespace dltrain::optim {
class LrScheduler;
}
namespace dltrain::dist {
class GradientSync;
}

namespace dltrain::train {

class GradientMonitor;
class LossScaler;
class WeightEma;

// The model as the step sees it: its parameters and its forward pass.
struct StepModel {
  torch::nn::Module& module;
  std::function<torch::Tensor(const torch::Tensor&)> forward;
};

struct BatchResult {
  // The batch's mean data loss (without penalties): a detached 0-dim tensor on the device, so
  // reading it is the caller's choice (the trainer reads running totals every log_every steps).
  torch::Tensor loss;
  bool counted = true;      // false: a non-finite loss under nonfinite: skip, left out of the averages
  torch::Tensor logits;     // detached, for accuracy
  bool stepped = false;     // this batch completed an accumulation group
  bool skipped = false;     // ... and its update was skipped (non-finite loss or gradients)
  // ... and a signal (SIGINT or SIGTERM; 0: none) asks the run to stop here. In a distributed
  // run: a signal on any rank, so that all ranks stop after the same step.
  int stop_signal = 0;
  io::MetricRow health;     // gradient-health row when this step was monitored; else empty
  int64_t step = 0;         // optimizer steps so far (the health row's "step")
};

class TrainingStep {
 public:
  // `scheduler` and `ema` may be null.
  TrainingStep(const config::ExperimentConfig& config, StepModel model, torch::optim::Optimizer& optimizer,
               const LossFunction& loss, const c10::Device& device, optim::LrScheduler* scheduler, WeightEma* ema);
  ~TrainingStep();

  // Before an epoch's first batch: the last accumulation group of an epoch may be shorter.
  void start_epoch(int64_t epoch, int64_t batches);
  BatchResult run(const torch::Tensor& inputs, const torch::Tensor& targets);
  // Under nonfinite: stop (without amp or data parallelism) a step reads nothing back from the
  // device: it records whether its loss was finite, and this reads the records since the last
  // call and raises DivergedError naming the first batch whose loss was not. The trainer calls
  // it whenever it reads its running totals (every log_every steps, at most twice a second, at
  // the epoch's end); run() calls it when its record buffer is full. Elsewhere every step
  // decides on the host, and this finds nothing.
  void check_finite();
  // Data-parallel: average the gradients over the ranks before each optimizer step; null: don't.
  void synchronize_with(dist::GradientSync* sync);

  int64_t optimizer_steps() const { return steps_; }
  int64_t skipped_steps() const { return skipped_; }

  // The step and skip counters, for resume checkpoints (the health rows continue their numbering).
  void save(torch::serialize::OutputArchive& archive) const;
  void load(torch::serialize::InputArchive& archive);

 private:
  struct RecordedBatch {
    int64_t epoch, batch, step;
  };
  void finish_group(BatchResult& result);
  // The optimizer step (unless result.skipped), EMA, health rows, the scheduler, the step count.
  void apply_update(BatchResult& result);
  void record_loss(const torch::Tensor& loss);
  [[noreturn]] void diverged(const std::string& what) const;
  [[noreturn]] static void diverged_at(const RecordedBatch& at, const std::string& what);

  const config::ExperimentConfig& config_;
  StepModel model_;
  torch::optim::Optimizer& optimizer_;
  const LossFunction& loss_;
  c10::Device device_;
  optim::LrScheduler* scheduler_;
  WeightEma* ema_;
  dist::GradientSync* sync_ = nullptr;
  std::vector<torch::Tensor> params_, penalized_;
  std::vector<std::string> names_;
  std::unique_ptr<GradientMonitor> monitor_;
  std::unique_ptr<LossScaler> scaler_;
  int64_t epoch_ = 0, batch_ = 0, batches_left_ = 0;
  int64_t in_group_ = 0, group_size_ = 1;
  bool group_nonfinite_ = false;
  int64_t steps_ = 0, skipped_ = 0;
  // Deferred finiteness records (see check_finite): the losses of the batches since the last
  // check, on the device, and the (epoch, batch, optimizer step) of each.
  bool host_decides_ = true;
  torch::Tensor losses_;
  std::vector<RecordedBatch> recorded_;
};

// Optimizer steps in an epoch of `batches` batches with `accumulate` batches per step.
int64_t optimizer_steps_per_epoch(int64_t batches, int64_t accumulate);

// The name of the first parameter (in model order) whose gradient holds inf or nan; "" if none.
std::string first_nonfinite_gradient(torch::nn::Module& module);
// The name of the first parameter (in model order) holding inf or nan; "" if none.
std::string first_nonfinite_parameter(torch::nn::Module& module);

// Raises ConfigError when train.amp cannot run on `device` (amp needs CUDA).
void check_amp_device(const config::TrainConfig& train, const c10::Device& device);

}  // namespace dltrain::train
