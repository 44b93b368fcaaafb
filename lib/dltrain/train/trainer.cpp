// One epoch = train pass + validation + metrics row + checkpoints. Kept short on purpose:
// the per-batch step is TrainingStep (training_step.cpp), bookkeeping in fit.
#include "dltrain/train/trainer.h"

#include <spdlog/spdlog.h>
#include <torch/torch.h>

#include <chrono>
#include <cmath>
#include <nlohmann/json.hpp>

#include "dltrain/core/error.h"
#include "dltrain/data/batch_loader.h"
#include "dltrain/io/checkpoint.h"
#include "dltrain/optim/lr_scheduler.h"
#include "dltrain/optim/optimizer_factory.h"
#include "dltrain/train/evaluation.h"
#include "dltrain/train/loss_function.h"
#include "dltrain/train/progress_line.h"
#include "dltrain/train/training_step.h"
#include "dltrain/train/weight_ema.h"

namespace dltrain::train {
namespace {

using Clock = std::chrono::steady_clock;

struct EpochTotals {
  double loss_sum = 0.0;
  int64_t correct = 0, samples = 0;
  double seconds = 0.0, data_wait = 0.0;
};

EpochTotals train_epoch(TrainingRun& run, TrainingStep& step, data::BatchLoader& loader, int64_t epoch,
                        ProgressLine& progress, io::MetricsLog& metrics_log) {
  EpochTotals totals;
  const auto start = Clock::now();
  run.model->train();
  loader.start_epoch(epoch);
  progress.start_epoch(epoch);
  step.start_epoch(epoch, loader.batches_per_epoch());
  int64_t batch_index = 0;
  while (auto batch = loader.next()) {
    auto inputs = batch->inputs.to(run.device, /*non_blocking=*/true);
    auto targets = batch->targets.to(run.device, /*non_blocking=*/true);
    const BatchResult result = step.run(inputs, targets);
    ++batch_index;
    if (!result.health.empty()) metrics_log.append_step(epoch, result.step, result.health);
    if (!std::isfinite(result.loss)) continue;  // skipped (train.nonfinite: skip): not in the averages
    const int64_t n = targets.size(0);
    totals.loss_sum += result.loss * n;
    totals.correct += result.logits.argmax(1).eq(targets).sum().item<int64_t>();
    totals.samples += n;
    progress.update(batch_index, totals.loss_sum / totals.samples, double(totals.correct) / totals.samples,
                    totals.samples);
    if (batch_index % run.config.train.log_every == 0) {
      spdlog::debug("epoch {} step {}/{} loss {:.4f}", epoch, batch_index, loader.batches_per_epoch(), result.loss);
    }
  }
  progress.finish_epoch();
  totals.seconds = std::chrono::duration<double>(Clock::now() - start).count();
  totals.data_wait = loader.seconds_waited();
  return totals;
}

bool improves(double value, double best, const std::string& mode) {
  return mode == "min" ? value < best : value > best;
}

std::string metrics_json(int64_t epoch, const io::MetricRow& row) {
  nlohmann::ordered_json json;
  json["epoch"] = epoch;
  for (const auto& [name, value] : row) json[name] = std::isfinite(value) ? nlohmann::ordered_json(value) : nullptr;
  return json.dump();
}

}  // namespace

std::vector<std::string> epoch_metric_names(bool has_validation, std::size_t lr_groups) {
  std::vector<std::string> names = {"train/loss", "train/accuracy"};
  if (has_validation) {
    for (const auto& entry : split_metrics("val", eval::ClassificationMetrics(1))) names.push_back(entry.first);
  }
  names.push_back("lr");
  for (std::size_t g = 1; g <= lr_groups; ++g) names.push_back("lr/group" + std::to_string(g));
  for (const char* name :
       {"train/skipped_steps", "train/samples_per_second", "train/data_wait_fraction", "train/epoch_seconds"}) {
    names.push_back(name);
  }
  return names;
}

TrainingOutcome fit(TrainingRun& run) {
  const auto& config = run.config;
  const LossFunction loss(config.loss);
  data::BatchLoader train_loader(run.data.train, data::loader_options_for(config.data, config.seed, true));
  std::unique_ptr<data::BatchLoader> val_loader;
  if (run.data.val.size() > 0) {
    val_loader = std::make_unique<data::BatchLoader>(run.data.val, data::loader_options_for(config.data, config.seed, false));
  }
  io::MetricsLog metrics_log(run.run.path);
  ProgressLine progress(config.train.epochs, train_loader.batches_per_epoch());
  const auto& monitor = config.train.checkpoint;
  // Schedule, EMA and the per-batch step (their save/load serve resume checkpoints).
  optim::LrScheduler scheduler(config.scheduler, run.optimizer,
                               optimizer_steps_per_epoch(train_loader.batches_per_epoch(), config.train.accumulate),
                               config.train.epochs);
  std::unique_ptr<WeightEma> ema;
  if (config.train.ema.decay > 0) ema = std::make_unique<WeightEma>(*run.model, config.train.ema.decay);
  TrainingStep step(config, StepModel{*run.model, [&run](const torch::Tensor& x) { return run.model->forward(x); }},
                    run.optimizer, loss, run.device, &scheduler, ema.get());

  TrainingOutcome outcome;
  int64_t train_samples = 0;
  for (int64_t epoch = 1; epoch <= config.train.epochs; ++epoch) {
    const int64_t skipped_before = step.skipped_steps();
    const EpochTotals totals = train_epoch(run, step, train_loader, epoch, progress, metrics_log);
    outcome.train_seconds += totals.seconds;
    outcome.data_wait_seconds += totals.data_wait;
    train_samples += totals.samples;

    io::MetricRow row = {
        {"train/loss", totals.loss_sum / totals.samples},
        {"train/accuracy", double(totals.correct) / totals.samples},
    };
    // With EMA, validation and the best checkpoint see the averaged weights.
    if (ema) ema->swap(*run.model);
    if (val_loader) {
      auto val = evaluate(run.model, *val_loader, loss, run.data.num_classes, run.device);
      for (auto& entry : split_metrics("val", val)) row.push_back(entry);
    }
    // The lrs of the epoch's last optimizer step, per group.
    const auto lrs = scheduler.lrs_at(std::max<int64_t>(scheduler.steps_done() - 1, 0));
    row.push_back({"lr", lrs.front()});
    for (std::size_t g = 0; g < run.pattern_groups.size(); ++g)
      row.push_back({"lr/group" + std::to_string(g + 1), lrs.at(run.pattern_groups[g])});
    row.push_back({"train/skipped_steps", double(step.skipped_steps() - skipped_before)});
    row.push_back({"train/samples_per_second", totals.samples / totals.seconds});
    row.push_back({"train/data_wait_fraction", totals.data_wait / totals.seconds});
    row.push_back({"train/epoch_seconds", totals.seconds});
    metrics_log.append_epoch(epoch, row);

    io::CheckpointInfo info{epoch, run.config_yaml, metrics_json(epoch, row), run.data.class_names,
                            run.data.input_shape, optim::current_lr(run.optimizer)};
    double value = 0.0;
    if (io::find_metric(row, monitor.monitor, value) && std::isfinite(value) &&
        (outcome.best_epoch == 0 || improves(value, outcome.best_value, monitor.mode))) {
      outcome.best_epoch = epoch;
      outcome.best_value = value;
      outcome.best_metrics = row;
      if (monitor.save_best) io::save_checkpoint(run.run.checkpoints + "/best.pt", *run.model, &run.optimizer, info);
    }
    if (ema) ema->swap(*run.model);
    io::save_checkpoint(run.run.checkpoints + "/last.pt", *run.model, &run.optimizer, info);
    if (scheduler.needs_metric() && io::find_metric(row, scheduler.monitor(), value)) scheduler.epoch_end(value);
    spdlog::info("epoch {}/{}: train loss {:.4f} acc {:.4f}{} | {:.1f}s, {:.0f} samples/s", epoch, config.train.epochs,
                 row[0].second, row[1].second,
                 val_loader ? fmt::format(" | val loss {:.4f} acc {:.4f}", row[2].second, row[3].second) : "",
                 totals.seconds, totals.samples / totals.seconds);
    outcome.last_metrics = row;
    outcome.epochs_completed = epoch;
  }
  if (ema) ema->copy_to(*run.model);  // the final (test) evaluation uses the averaged weights
  outcome.stop_reason = "completed";
  outcome.samples_per_second = outcome.train_seconds > 0 ? train_samples / outcome.train_seconds : 0.0;
  return outcome;
}

}  // namespace dltrain::train
