// The training loop: epochs of forward/backward/step over the train loader, validation after
// each epoch, metrics (jsonl, csv, TensorBoard) to the run directory, checkpoints, early
// stopping, exact resume and SIGINT/SIGTERM handling. Knows nothing of YAML.
#pragma once

#include <c10/core/Device.h>
#include <torch/optim/optimizer.h>

#include <cstdint>
#include <string>
#include <vector>

#include "dltrain/config/experiment_config.h"
#include "dltrain/data/image_dataset.h"
#include "dltrain/io/metrics_log.h"
#include "dltrain/io/resumable_state.h"
#include "dltrain/io/run_directory.h"
#include "dltrain/models/network.h"
#include "dltrain/train/epoch_hook.h"

namespace dltrain::dist {
class ProcessGroup;
}

namespace dltrain::dist {
class ProcessGroup;
}

namespace dltrain::train {

class LayerFreezing;

struct TrainingRun {
  const config::ExperimentConfig& config;
  std::shared_ptr<models::Network> model;
  torch::optim::Optimizer& optimizer;
  const data::DatasetSplits& data;
  c10::Device device;
  const io::RunDirectory& run;
  std::string config_yaml;  // resolved config, stored in every checkpoint
  std::vector<double> class_weights;  // of the loss, one per class; empty: unweighted
  std::string resume_from;  // a resume checkpoint (last.pt) to continue from; empty: a fresh run
  // More state for resume checkpoints, each in its named slot (e.g. "scheduler", "ema").
  io::NamedStates extra_states = {};
  // Optimizer group index of each optimizer.param_groups entry; its lr is logged as lr/group<i+1>.
  std::vector<std::size_t> pattern_groups = {};
  // model.freeze / train.unfreeze_at_epoch; null: nothing frozen.
  LayerFreezing* freezing = nullptr;
  // Called after each epoch's metrics are written; true stops training (stop reason "pruned").
  EpochEndHook epoch_end = nullptr;
  // Data-parallel: this process is one rank of the group (it trains on its share of each batch,
  // gradients and metrics are summed over the ranks, only rank 0 writes the run directory);
  // null: a single process.
  dist::ProcessGroup* group = nullptr;
};

struct TrainingOutcome {
  int64_t epochs_completed = 0;
  int64_t best_epoch = 0;  // 0 when no epoch was judged (no monitor metric)
  double best_value = 0.0;
  std::string stop_reason;  // "completed" | "early_stopping" | "pruned"
  std::string stop_detail;  // early stopping: which metric stalled, for how long
  int64_t early_stopping_best_epoch = 0;
  double early_stopping_best_value = 0.0;
  bool restored_best = false;       // the final weights are early stopping's best epoch's
  int64_t resumed_from_epoch = -1;  // completed epochs at resume; -1: not resumed
  io::MetricRow last_metrics;
  io::MetricRow best_metrics;
  double train_seconds = 0.0;       // inside training epochs (validation excluded)
  double samples_per_second = 0.0;  // training samples (of all ranks) over train_seconds
  double data_wait_seconds = 0.0;
  double allreduce_seconds = 0.0;   // distributed: inside gradient averaging (this rank)
  double first_step_seconds = 0.0;  // process start to the end of the first batch (start-up cost)
};

// Throws InterruptedError (exit 130/143) after writing last.pt when SIGINT/SIGTERM arrives.
TrainingOutcome fit(TrainingRun& run);

// The metric names of every epoch row fit() writes, in order (monitors are checked against it).
// `lr_groups`: the number of optimizer.param_groups entries (each adds lr/group<i>).
std::vector<std::string> epoch_metric_names(bool has_validation, const std::vector<std::string>& class_names,
                                            std::size_t lr_groups = 0);

}  // namespace dltrain::train
