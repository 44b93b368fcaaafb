// One epoch = train pass + validation + metrics row + checkpoints. Kept short on purpose:
// the step itself is in train_epoch, bookkeeping in fit.
#include "dltrain/train/trainer.h"

#include <spdlog/spdlog.h>
#include <torch/torch.h>

#include <chrono>
#include <cmath>
#include <nlohmann/json.hpp>

#include "dltrain/core/error.h"
#include "dltrain/core/torch_compat.h"
#include "dltrain/data/batch_loader.h"
#include "dltrain/io/checkpoint.h"
#include "dltrain/optim/optimizer_factory.h"
#include "dltrain/train/evaluation.h"
#include "dltrain/train/loss_function.h"
#include "dltrain/train/progress_line.h"

namespace dltrain::train {
namespace {

using Clock = std::chrono::steady_clock;

struct EpochTotals {
  double loss_sum = 0.0;
  int64_t correct = 0, samples = 0;
  double seconds = 0.0, data_wait = 0.0;
};

EpochTotals train_epoch(TrainingRun& run, data::BatchLoader& loader, const LossFunction& loss, int64_t epoch,
                        ProgressLine& progress) {
  EpochTotals totals;
  const auto start = Clock::now();
  run.model->train();
  loader.start_epoch(epoch);
  progress.start_epoch(epoch);
  int64_t step = 0;
  while (auto batch = loader.next()) {
    auto inputs = batch->inputs.to(run.device, /*non_blocking=*/true);
    auto targets = batch->targets.to(run.device, /*non_blocking=*/true);
    compat::clear_grads(run.optimizer);
    auto logits = run.model->forward(inputs);
    auto batch_loss = loss.mean(logits, targets);
    batch_loss.backward();
    run.optimizer.step();

    const double loss_value = batch_loss.item<double>();
    ++step;
    if (!std::isfinite(loss_value)) {
      throw DivergedError("training diverged: the loss became " + std::to_string(loss_value) + " at epoch " +
                          std::to_string(epoch) + ", step " + std::to_string(step) +
                          "; lower optimizer.lr or normalize the inputs");
    }
    const int64_t n = targets.size(0);
    totals.loss_sum += loss_value * n;
    totals.correct += logits.argmax(1).eq(targets).sum().item<int64_t>();
    totals.samples += n;
    progress.update(step, totals.loss_sum / totals.samples, double(totals.correct) / totals.samples, totals.samples);
    if (step % run.config.train.log_every == 0) {
      spdlog::debug("epoch {} step {}/{} loss {:.4f}", epoch, step, loader.batches_per_epoch(), loss_value);
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

std::vector<std::string> epoch_metric_names(bool has_validation, const std::vector<std::string>& class_names) {
  std::vector<std::string> names = {"train/loss", "train/accuracy"};
  if (has_validation) {
    const eval::ClassificationMetrics none(static_cast<int64_t>(class_names.size()));
    for (const auto& entry : split_metrics("val", none, class_names)) names.push_back(entry.first);
  }
  for (const char* name : {"lr", "train/samples_per_second", "train/data_wait_fraction", "train/epoch_seconds"}) {
    names.push_back(name);
  }
  return names;
}

TrainingOutcome fit(TrainingRun& run) {
  const auto& config = run.config;
  const LossFunction loss(config.loss, run.class_weights);
  data::BatchLoader train_loader(run.data.train, data::loader_options_for(config.data, config.seed, true));
  std::unique_ptr<data::BatchLoader> val_loader;
  if (run.data.val.size() > 0) {
    val_loader = std::make_unique<data::BatchLoader>(run.data.val, data::loader_options_for(config.data, config.seed, false));
  }
  io::MetricsLog metrics_log(run.run.path);
  ProgressLine progress(config.train.epochs, train_loader.batches_per_epoch());
  const auto& monitor = config.train.checkpoint;

  TrainingOutcome outcome;
  int64_t train_samples = 0;
  for (int64_t epoch = 1; epoch <= config.train.epochs; ++epoch) {
    const EpochTotals totals = train_epoch(run, train_loader, loss, epoch, progress);
    outcome.train_seconds += totals.seconds;
    outcome.data_wait_seconds += totals.data_wait;
    train_samples += totals.samples;

    io::MetricRow row = {
        {"train/loss", totals.loss_sum / totals.samples},
        {"train/accuracy", double(totals.correct) / totals.samples},
    };
    if (val_loader) {
      auto val = evaluate(run.model, *val_loader, run.data.num_classes, run.device);
      for (auto& entry : split_metrics("val", val, run.data.class_names)) row.push_back(entry);
    }
    row.push_back({"lr", optim::current_lr(run.optimizer)});
    row.push_back({"train/samples_per_second", totals.samples / totals.seconds});
    row.push_back({"train/data_wait_fraction", totals.data_wait / totals.seconds});
    row.push_back({"train/epoch_seconds", totals.seconds});
    metrics_log.append_epoch(epoch, row);

    io::CheckpointInfo info{epoch, run.config_yaml, metrics_json(epoch, row), run.data.class_names,
                            run.data.input_shape, optim::current_lr(run.optimizer)};
    io::save_checkpoint(run.run.checkpoints + "/last.pt", *run.model, &run.optimizer, info);
    double value = 0.0;
    if (io::find_metric(row, monitor.monitor, value) && std::isfinite(value) &&
        (outcome.best_epoch == 0 || improves(value, outcome.best_value, monitor.mode))) {
      outcome.best_epoch = epoch;
      outcome.best_value = value;
      outcome.best_metrics = row;
      if (monitor.save_best) io::save_checkpoint(run.run.checkpoints + "/best.pt", *run.model, &run.optimizer, info);
    }
    spdlog::info("epoch {}/{}: train loss {:.4f} acc {:.4f}{} | {:.1f}s, {:.0f} samples/s", epoch, config.train.epochs,
                 row[0].second, row[1].second,
                 val_loader ? fmt::format(" | val loss {:.4f} acc {:.4f}", row[2].second, row[3].second) : "",
                 totals.seconds, totals.samples / totals.seconds);
    outcome.last_metrics = row;
    outcome.epochs_completed = epoch;
  }
  outcome.stop_reason = "completed";
  outcome.samples_per_second = outcome.train_seconds > 0 ? train_samples / outcome.train_seconds : 0.0;
  return outcome;
}

}  // namespace dltrain::train
