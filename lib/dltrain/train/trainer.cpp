// One epoch = train pass + validation + metrics row + checkpoints. The per-batch step is
// TrainingStep (training_step.cpp); resume and interruption live in fit.
#include "dltrain/train/trainer.h"

#include <spdlog/spdlog.h>
#include <torch/torch.h>

#include <chrono>
#include <cmath>
#include <csignal>
#include <optional>
#include <limits>
#include <nlohmann/json.hpp>

#include "dltrain/core/error.h"
#include "dltrain/core/fault_injection.h"
#include "dltrain/core/process_clock.h"
#include "dltrain/data/batch_loader.h"
#include "dltrain/data/batch_mixing.h"
#include "dltrain/dist/gradient_sync.h"
#include "dltrain/dist/process_group.h"
#include "dltrain/io/checkpoint.h"
#include "dltrain/io/tfevents.h"
#include "dltrain/optim/lr_scheduler.h"
#include "dltrain/optim/optimizer_factory.h"
#include "dltrain/train/checkpoint_policy.h"
#include "dltrain/train/early_stopping.h"
#include "dltrain/train/evaluation.h"
#include "dltrain/train/interrupt.h"
#include "dltrain/train/layer_freezing.h"
#include "dltrain/train/loss_function.h"
#include "dltrain/train/progress_line.h"
#include "dltrain/train/data_parallel.h"
#include "dltrain/train/resume_state.h"
#include "dltrain/train/step_profiler.h"
#include "dltrain/train/training_step.h"
#include "dltrain/train/weight_ema.h"

namespace dltrain::train {
namespace {

using Clock = std::chrono::steady_clock;

struct EpochTiming {
  double seconds = 0.0, data_wait = 0.0;
  double first_step = 0.0;  // seconds since process start when the epoch's first batch was done
  int64_t samples = 0;  // trained in this process (a resumed epoch counts only its rest)
};

// Where an epoch's batches go and what they report to; the files are null on ranks other than 0.
struct EpochSinks {
  ProgressLine& progress;
  io::TfEventsWriter* events;
  io::MetricsLog* metrics_log;
  StepProfiler* profiler;  // train.profile_steps, rank 0
};

// The signal that stops the run at an epoch's end, 0 for none. In a distributed run the ranks
// agree on it (a signal on one rank stops them all), SIGINT first.
int agreed_stop_signal(dist::ProcessGroup* group) {
  const int local = InterruptHandler::pending();
  if (!group) return local;
  if (group->any(local == SIGINT)) return SIGINT;
  return group->any(local != 0) ? SIGTERM : 0;
}

// The epoch's running loss sum and correct count, kept on the device so that a step reads
// nothing back; position holds them as of the last read. Sums run in the same order as on the
// host, so a resumed epoch's totals equal an uninterrupted one's exactly.
class RunningTotals {
 public:
  RunningTotals(const TrainingPosition& position, const c10::Device& device)
      : loss_sum_(torch::full({}, position.loss_sum, torch::TensorOptions(device).dtype(torch::kFloat64))),
        correct_(torch::full({}, position.correct, torch::TensorOptions(device).dtype(torch::kInt64))) {}
  void add(const BatchResult& result, const torch::Tensor& labels, int64_t n) {
    loss_sum_.add_(result.loss.to(torch::kFloat64) * static_cast<double>(n));
    correct_.add_(result.logits.argmax(1).eq(labels).sum());
  }
  void read_into(TrainingPosition& position) const {
    position.loss_sum = loss_sum_.item<double>();
    position.correct = correct_.item<int64_t>();
  }

 private:
  torch::Tensor loss_sum_, correct_;
};

// Trains the rest of `epoch` from position.steps_in_epoch, keeping the totals in `position`.
// Returns the signal that asked to stop (after a finished optimizer step, so no
// half-accumulated gradients are lost), or 0 when the epoch finished.
int train_epoch(TrainingRun& run, TrainingStep& step, data::BatchLoader& loader, const data::BatchMixer& mixer,
                 int64_t epoch, TrainingPosition& position, EpochSinks sinks, EpochTiming& timing) {
  const auto start = Clock::now();
  run.model->train();
  if (run.freezing) run.freezing->start_epoch(epoch);
  loader.start_epoch(epoch, position.steps_in_epoch);
  sinks.progress.start_epoch(epoch, position.steps_in_epoch);
  step.start_epoch(epoch, loader.batches_per_epoch() - position.steps_in_epoch);
  const int64_t log_every = run.config.train.log_every;
  int stop_signal = 0;
  RunningTotals totals(position, run.device);
  // Reading the totals is a host sync on CUDA: every log_every steps, and at most twice a
  // second for the progress line (once a step is slower than that).
  auto last_read = Clock::now();
  int64_t read_at_step = -1;
  const auto read_totals = [&] {
    if (read_at_step == position.steps_in_epoch) return;
    step.check_finite();
    totals.read_into(position);
    last_read = Clock::now();
    read_at_step = position.steps_in_epoch;
    if (position.samples == 0) return;
    sinks.progress.update(position.steps_in_epoch, position.loss_sum / position.samples,
                          double(position.correct) / position.samples, timing.samples);
  };
  while (auto batch = loader.next()) {
    auto inputs = batch->inputs.to(run.device, /*non_blocking=*/true);
    auto targets = batch->targets.to(run.device, /*non_blocking=*/true);
    fault_point("step");  // mid-batch: the batch is loaded, its step not applied
    if (sinks.profiler) sinks.profiler->before_step();
    const data::MixedBatch mixed = mixer.mix(inputs, targets, epoch, position.steps_in_epoch);
    const BatchResult result = step.run(mixed.inputs, mixed.targets);
    if (sinks.profiler) sinks.profiler->after_step();
    ++position.steps_in_epoch;
    ++position.global_step;
    if (timing.first_step == 0.0) timing.first_step = seconds_since_process_start();
    if (!result.health.empty() && sinks.metrics_log) {
      sinks.metrics_log->append_step(epoch, result.step, result.health);
      for (const auto& [name, value] : result.health) sinks.events->add_scalar("step/" + name, value, result.step);
    }
    if (result.counted) {  // a skipped batch (train.nonfinite: skip) stays out of the averages
      const int64_t n = targets.size(0);
      totals.add(result, mixed.labels, n);
      position.samples += n;
      timing.samples += n;
      const bool events_due = position.global_step % log_every == 0;
      if (events_due || position.steps_in_epoch % log_every == 0 ||
          Clock::now() - last_read > std::chrono::milliseconds(500)) {
        read_totals();
      }
      if (events_due && sinks.events) {
        sinks.events->add_scalar("step/loss", result.loss.item<double>(), position.global_step);
        sinks.events->add_scalar("step/lr", optim::current_lr(run.optimizer), position.global_step);
      }
    }
    if (result.stop_signal != 0) {
      stop_signal = result.stop_signal;
      break;
    }
  }
  read_totals();  // the epoch's (or, when stopped, the resume point's) exact totals
  sinks.progress.finish_epoch();
  timing.seconds = std::chrono::duration<double>(Clock::now() - start).count();
  timing.data_wait = loader.seconds_waited();
  return stop_signal;
}

nlohmann::ordered_json row_to_json(const io::MetricRow& row) {
  nlohmann::ordered_json json = nlohmann::ordered_json::object();
  for (const auto& [name, value] : row) json[name] = std::isfinite(value) ? nlohmann::ordered_json(value) : nullptr;
  return json;
}

io::MetricRow row_from_json(const std::string& text) {
  io::MetricRow row;
  const auto json = nlohmann::ordered_json::parse(text);
  for (const auto& [name, value] : json.items()) {
    row.emplace_back(name, value.is_number() ? value.get<double>() : std::numeric_limits<double>::quiet_NaN());
  }
  return row;
}

bool improves(double value, double best, const std::string& mode) {
  return mode == "min" ? value < best : value > best;
}

double metric_or_nan(const io::MetricRow& row, const std::string& name) {
  double value = std::numeric_limits<double>::quiet_NaN();
  io::find_metric(row, name, value);
  return value;
}

[[noreturn]] void stop_interrupted(const TrainingRun& run, const TrainingPosition& position, int signal,
                                   const std::string& checkpoint) {
  const int64_t epoch = position.epochs_done + (position.steps_in_epoch > 0 ? 1 : 0);
  throw InterruptedError(static_cast<ExitCode>(InterruptHandler::exit_code(signal)),
                         std::string("interrupted by ") + InterruptHandler::name(signal) + " at epoch " +
                             std::to_string(epoch) + ", step " + std::to_string(position.steps_in_epoch) +
                             "; checkpoint " + checkpoint + "; resume with: dltrain run --resume " + run.run.path);
}

}  // namespace

std::vector<std::string> epoch_metric_names(bool has_validation, const std::vector<std::string>& class_names,
                                            std::size_t lr_groups) {
  std::vector<std::string> names = {"train/loss", "train/accuracy"};
  if (has_validation) {
    const eval::ClassificationMetrics none(static_cast<int64_t>(class_names.size()));
    for (const auto& entry : split_metrics("val", none, class_names)) names.push_back(entry.first);
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
  const LossFunction loss(config.loss, run.class_weights);
  const bool pin = run.device.is_cuda();
  data::BatchLoader train_loader(run.data.train,
                                 loader_share(data::loader_options_for(config.data, config.seed, true, pin), run.group, true));
  const data::BatchMixer mixer(config.data.batch_augment, run.data.num_classes, run.data.input_shape, config.seed);
  std::unique_ptr<data::BatchLoader> val_loader;
  if (run.data.val.size() > 0) {
    val_loader = std::make_unique<data::BatchLoader>(
        run.data.val, loader_share(data::loader_options_for(config.data, config.seed, false, pin), run.group, false));
  }
  const auto& monitor = config.train.checkpoint;
  const CheckpointPolicy checkpoints(monitor, run.run.checkpoints);
  // Schedule, EMA and the per-batch step; the schedule's length depends on the loader.
  optim::LrScheduler scheduler(config.scheduler, run.optimizer,
                               optimizer_steps_per_epoch(train_loader.batches_per_epoch(), config.train.accumulate),
                               config.train.epochs);
  std::unique_ptr<WeightEma> ema;
  if (config.train.ema.decay > 0) ema = std::make_unique<WeightEma>(*run.model, config.train.ema.decay);
  TrainingStep step(config, StepModel{*run.model, [&run](const torch::Tensor& x) { return run.model->forward(x); }},
                    run.optimizer, loss, run.device, &scheduler, ema.get());
  std::optional<dist::GradientSync> sync;
  if (run.group) {
    sync.emplace(*run.group, *run.model, config.distributed.bucket_mb);
    step.synchronize_with(&*sync);
  }
  const bool writes = !run.group || run.group->is_main();  // the run directory is rank 0's
  TrainingPosition position;
  GeneratorState generator;
  EarlyStopping stopping(config.train.early_stopping);
  WeightSnapshot best_weights;  // early stopping's best epoch, for restore_best
  io::ResumableRef<optim::LrScheduler> scheduler_slot(scheduler);
  io::ResumableRef<TrainingStep> step_slot(step);
  io::NamedStates states = {{"position", &position},
                            {"generator", &generator},
                            {"early_stopping", &stopping},
                            {"best_weights", &best_weights},
                            {"scheduler", &scheduler_slot},
                            {"training_step", &step_slot}};
  std::unique_ptr<io::ResumableRef<WeightEma>> ema_slot;
  if (ema) {
    ema_slot = std::make_unique<io::ResumableRef<WeightEma>>(*ema);
    states.push_back({"ema", ema_slot.get()});
  }
  states.insert(states.end(), run.extra_states.begin(), run.extra_states.end());

  TrainingOutcome outcome;
  io::MetricRow last_row;  // the last finished epoch's metrics, stored with every checkpoint
  if (!run.resume_from.empty()) {
    if (writes) checkpoints.remove_stale_temporaries();
    last_row = row_from_json(io::load_checkpoint(run.resume_from, *run.model, &run.optimizer, states).metrics_json);
    if (writes) {
      io::truncate_metrics_after(run.run.path, position.epochs_done, step.optimizer_steps());
      io::truncate_tfevents_after(run.run.path, position.epochs_done, position.global_step);
    }
    outcome.resumed_from_epoch = position.epochs_done;
    outcome.epochs_completed = position.epochs_done;
    outcome.last_metrics = last_row;
    outcome.best_epoch = position.best_epoch;
    outcome.best_value = position.best_value;
    outcome.best_metrics = row_from_json(position.best_metrics_json);
    if (!position.stop_reason.empty() || position.epochs_done >= config.train.epochs) {
      spdlog::info("{} has finished training ({} after epoch {}); evaluating and writing the summary", run.run.path,
                   position.stop_reason.empty() ? "all epochs" : position.stop_reason, position.epochs_done);
    } else {
      spdlog::info("resuming {} after epoch {}, step {} of epoch {}", run.run.path, position.epochs_done,
                   position.steps_in_epoch, position.epochs_done + 1);
    }
  }

  // Every rank starts from rank 0's weights (the same seed builds the same model, but a model
  // that drew random numbers differently, or a resumed one, must not drift apart).
  if (run.group) dist::broadcast_parameters(*run.group, *run.model);
  std::optional<io::MetricsLog> metrics_log;
  std::optional<io::TfEventsWriter> events;
  if (writes) {
    metrics_log.emplace(run.run.path);
    events.emplace(run.run.path);
  }
  ProgressLine progress(config.train.epochs, train_loader.batches_per_epoch(), config.train.log_every);
  std::optional<StepProfiler> profiler;
  if (writes && config.train.profile_steps > 0) profiler.emplace(config.train.profile_steps, run.run.path);
  const InterruptHandler interrupts;
  const auto save_checkpoint_to = [&](const std::string& path, int64_t epoch, const io::MetricRow& row) {
    io::CheckpointInfo info{epoch,
                            run.config_yaml,
                            row_to_json(row).dump(),
                            run.data.class_names,
                            run.data.input_shape,
                            optim::current_lr(run.optimizer),
                            run.data.feature_names,
                            run.data.feature_mean,
                            run.data.feature_std,
                            run.data.feature_fill};
    io::save_checkpoint(path, *run.model, &run.optimizer, info, states);
  };
  const auto save_last = [&](int64_t epoch, const io::MetricRow& row) {
    if (writes) save_checkpoint_to(checkpoints.last_path(), epoch, row);
  };

  int64_t train_samples = 0;
  bool pruned = position.stop_reason == "pruned";
  for (int64_t epoch = position.epochs_done + 1; epoch <= config.train.epochs && !stopping.should_stop() && !pruned;
       ++epoch) {
    EpochTiming timing;
    const int64_t skipped_before = step.skipped_steps();
    const int stop_signal =
        train_epoch(run, step, train_loader, mixer, epoch, position,
                    {progress, events ? &*events : nullptr, metrics_log ? &*metrics_log : nullptr,
                     profiler ? &*profiler : nullptr},
                    timing);
    if (profiler) profiler->finish();
    outcome.train_seconds += timing.seconds;
    outcome.data_wait_seconds += timing.data_wait;
    if (outcome.first_step_seconds == 0.0) outcome.first_step_seconds = timing.first_step;
    train_samples += timing.samples;
    if (stop_signal != 0) {
      save_last(position.epochs_done, last_row);
      stop_interrupted(run, position, stop_signal, checkpoints.last_path());
    }
    fault_point("validation");

    const EpochTotals totals = sum_over_ranks({position.loss_sum, position.correct, position.samples}, run.group);
    io::MetricRow row = {
        {"train/loss", totals.loss_sum / totals.samples},
        {"train/accuracy", double(totals.correct) / totals.samples},
    };
    // With EMA, validation, best.pt and early stopping's best weights are the averaged weights;
    // last.pt keeps the live ones (the EMA travels in its resume slot).
    if (ema) ema->swap(*run.model);
    // Batch-norm statistics are per rank: all ranks evaluate (and rank 0 saves) rank 0's.
    if (run.group) dist::broadcast_buffers(*run.group, *run.model);
    if (val_loader) {
      const auto val =
          sum_over_ranks(evaluate(run.model, *val_loader, run.data.num_classes, run.device), run.group);
      for (auto& entry : split_metrics("val", val, run.data.class_names)) row.push_back(entry);
    }
    // The lrs of the epoch's last optimizer step, per group.
    const auto lrs = scheduler.lrs_at(std::max<int64_t>(scheduler.steps_done() - 1, 0));
    row.push_back({"lr", lrs.front()});
    for (std::size_t g = 0; g < run.pattern_groups.size(); ++g) {
      row.push_back({"lr/group" + std::to_string(g + 1), lrs.at(run.pattern_groups[g])});
    }
    row.push_back({"train/skipped_steps", double(step.skipped_steps() - skipped_before)});
    const int64_t world = run.group ? run.group->size() : 1;  // every rank trains as many samples
    row.push_back({"train/samples_per_second", world * timing.samples / timing.seconds});
    row.push_back({"train/data_wait_fraction", timing.data_wait / timing.seconds});
    row.push_back({"train/epoch_seconds", timing.seconds});
    position.epochs_done = epoch;
    position.steps_in_epoch = 0;
    position.loss_sum = 0.0;
    position.correct = position.samples = 0;

    if (writes) {
      metrics_log->append_epoch(epoch, row);
      for (const auto& [name, value] : row) events->add_scalar(name, value, epoch);
      events->flush();
    }
    fault_point("metrics_written");

    const double value = metric_or_nan(row, monitor.monitor);
    const bool improved =
        std::isfinite(value) && (position.best_epoch == 0 || improves(value, position.best_value, monitor.mode));
    if (improved) {
      position.best_epoch = epoch;
      position.best_value = value;
      position.best_metrics_json = row_to_json(row).dump();
      outcome.best_epoch = epoch;
      outcome.best_value = value;
      outcome.best_metrics = row;
    }
    if (stopping.enabled()) {
      const bool best = stopping.observe(epoch, metric_or_nan(row, stopping.config().monitor));
      if (best && stopping.config().restore_best) best_weights.take(*run.model);
      if (stopping.should_stop()) position.stop_reason = "early_stopping";
    }
    // A stop asked for after the last epoch changes nothing: the run is complete.
    if (run.epoch_end && run.epoch_end(epoch, row) && !stopping.should_stop() && epoch < config.train.epochs) {
      pruned = true;
      position.stop_reason = "pruned";  // in last.pt, so a resume knows the run has finished
    }
    if (double plateau_value = 0.0; scheduler.needs_metric() && io::find_metric(row, scheduler.monitor(), plateau_value)) {
      scheduler.epoch_end(plateau_value);
    }
    if (ema) {
      // best.pt gets the averaged weights written directly; the copy of last.pt would be the live ones.
      if (improved && monitor.save_best && writes) save_checkpoint_to(checkpoints.best_path(), epoch, row);
      ema->swap(*run.model);
    }
    save_last(epoch, row);
    if (writes) checkpoints.after_epoch(epoch, improved && !ema);
    fault_point("epoch_end");

    spdlog::info("epoch {}/{}: train loss {:.4f} acc {:.4f}{} | {:.1f}s, {:.0f} samples/s", epoch, config.train.epochs,
                 row[0].second, row[1].second,
                 val_loader ? fmt::format(" | val loss {:.4f} acc {:.4f}", row[2].second, row[3].second) : "",
                 timing.seconds, world * timing.samples / timing.seconds);
    last_row = row;
    outcome.last_metrics = row;
    outcome.epochs_completed = epoch;
    if (const int signal = agreed_stop_signal(run.group); signal != 0 && !stopping.should_stop() && !pruned &&
                                                           epoch < config.train.epochs) {
      stop_interrupted(run, position, signal, checkpoints.last_path());
    }
  }

  outcome.stop_reason = stopping.should_stop() ? "early_stopping" : pruned ? "pruned" : "completed";
  if (stopping.enabled()) {
    outcome.stop_detail = stopping.reason();
    outcome.early_stopping_best_epoch = stopping.best_epoch();
    outcome.early_stopping_best_value = stopping.best_value();
    if (stopping.should_stop()) spdlog::info("early stopping: {}", outcome.stop_detail);
    if (stopping.config().restore_best && !best_weights.empty()) {
      // last.pt then holds the final (best) weights too, and the run is marked finished.
      best_weights.restore_into(*run.model);  // with EMA these are already the averaged weights
      outcome.restored_best = true;
      position.stop_reason = outcome.stop_reason;
      save_last(outcome.epochs_completed, outcome.last_metrics);
      spdlog::info("restored the weights of epoch {} ({} {:.6g})", stopping.best_epoch(), stopping.config().monitor,
                   stopping.best_value());
    }
  }
  // The final (test) evaluation uses the averaged weights, unless the best epoch's were restored.
  if (ema && !outcome.restored_best) ema->copy_to(*run.model);
  const int64_t world = run.group ? run.group->size() : 1;
  outcome.samples_per_second = outcome.train_seconds > 0 ? world * train_samples / outcome.train_seconds : 0.0;
  if (sync) outcome.allreduce_seconds = sync->seconds();
  return outcome;
}

}  // namespace dltrain::train
