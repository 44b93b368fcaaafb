// Wires config -> data, model, optimizer -> trainer -> run directory. Everything that can be
// checked is checked before the run directory is created, so a bad config leaves no debris.
#include "dltrain/train/experiment.h"

#include <fmt/format.h>
#include <spdlog/spdlog.h>
#include <torch/torch.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <filesystem>
#include <memory>
#include <nlohmann/json.hpp>
#include <optional>

#include "dltrain/config/config_compare.h"
#include "dltrain/config/load_config.h"
#include "dltrain/config/resolved_yaml.h"
#include "dltrain/core/error.h"
#include "dltrain/core/logging.h"
#include "dltrain/core/runtime.h"
#include "dltrain/core/version.h"
#include "dltrain/data/batch_loader.h"
#include "dltrain/data/class_balance.h"
#include "dltrain/data/image_dataset.h"
#include "dltrain/dist/process_group.h"
#include "dltrain/dist/world.h"
#include "dltrain/io/atomic_file.h"
#include "dltrain/io/checkpoint.h"
#include "dltrain/io/metrics_log.h"
#include "dltrain/io/tfevents.h"
#include "dltrain/io/run_directory.h"
#include "dltrain/models/model_builder.h"
#include "dltrain/models/memory_format.h"
#include "dltrain/models/model_summary.h"
#include "dltrain/models/sync_batchnorm.h"
#include "dltrain/optim/optimizer_factory.h"
#include "dltrain/train/class_weights.h"
#include "dltrain/train/data_parallel.h"
#include "dltrain/train/evaluation.h"
#include "dltrain/train/layer_freezing.h"
#include "dltrain/train/pretrained_weights.h"
#include "dltrain/train/trainer.h"
#include "dltrain/train/training_step.h"

namespace dltrain::train {
namespace {

nlohmann::ordered_json row_json(const io::MetricRow& row) {
  nlohmann::ordered_json json = nlohmann::ordered_json::object();
  for (const auto& [name, value] : row) json[name] = std::isfinite(value) ? nlohmann::ordered_json(value) : nullptr;
  return json;
}

void check_monitor(const std::string& key, const std::string& monitor, const data::DatasetSplits& data) {
  const bool has_validation = data.val.size() > 0;
  const auto names = epoch_metric_names(has_validation, data.class_names);
  if (std::find(names.begin(), names.end(), monitor) != names.end()) return;
  std::string known;
  for (const auto& name : names) known += (known.empty() ? "" : ", ") + name;
  throw ConfigError(key + ": \"" + monitor + "\" is not logged by this run" +
                    (has_validation ? "" : " (data.val_split is 0, so there are no val/ metrics)") +
                    "; expected one of " + known);
}

// The run directory and checkpoint to resume, after refusing config changes that would alter
// the past: the checkpoint's stored config is the reference.
// Without a checkpoint (killed before the first one was written) the run starts over in its
// directory, checked against its config.yaml. Returns "" then.
std::string checked_resume_checkpoint(const config::ExperimentConfig& config, const io::RunDirectory& run, bool writes) {
  const std::string last = run.checkpoints + "/last.pt";
  const bool has_checkpoint = std::filesystem::exists(last);
  const auto stored = has_checkpoint
                          ? config::load_config_from_string(io::read_checkpoint_info(last).config_yaml, last)
                          : config::load_config(run.file("config.yaml"));
  std::string refused;
  for (const auto& key : config::differing_keys(stored, config)) {
    const auto& allowed = keys_changeable_on_resume();
    if (std::find(allowed.begin(), allowed.end(), key) == allowed.end()) refused += (refused.empty() ? "" : ", ") + key;
  }
  if (!refused.empty()) {
    std::string allowed;
    for (const auto& key : keys_changeable_on_resume()) allowed += (allowed.empty() ? "" : ", ") + key;
    throw ConfigError("cannot resume '" + run.path + "' with a changed config: " + refused +
                      " differ from the run's; only " + allowed + " may change on resume");
  }
  if (!has_checkpoint) {
    if (!writes) return "";
    spdlog::warn("{} has no checkpoint yet; starting it over in the same directory", run.path);
    io::truncate_metrics_after(run.path, 0);
    io::truncate_tfevents_after(run.path, 0, 0);
    return "";
  }
  return last;
}

// The thread budget and device of one rank: local ranks split the cores (unless `threads` is
// set), and on CUDA each takes the GPU of its LOCAL_RANK.
Runtime setup_rank_runtime(const config::ExperimentConfig& config, const std::optional<dist::World>& world) {
  if (!world) return setup_runtime(config.threads, static_cast<uint64_t>(config.seed), config.device);
  const int64_t threads = config.threads > 0 ? config.threads : std::max(1, available_cores() / world->local_size);
  std::string device = config.device;
  if (device == "cuda" || (device == "auto" && torch::cuda::is_available())) {
    device = "cuda:" + std::to_string(world->local_rank);
  }
  return setup_runtime(threads, static_cast<uint64_t>(config.seed), device);
}

std::unique_ptr<dist::ProcessGroup> join_group(const config::ExperimentConfig& config,
                                               const std::optional<dist::World>& world, const c10::Device& device) {
  if (!world) return nullptr;
  if (config.data.batch_size % world->size != 0) {
    throw ConfigError("data.batch_size: " + std::to_string(config.data.batch_size) +
                      " is the global batch and must split evenly over the " + std::to_string(world->size) + " ranks");
  }
  dist::GroupOptions options;
  options.backend = dist::backend_for(config.distributed.backend, device.is_cuda());
  options.timeout = std::chrono::milliseconds(static_cast<int64_t>(config.distributed.timeout_s * 1000));
  options.device = device;
  auto group = std::make_unique<dist::ProcessGroup>(*world, options);
  spdlog::info("rank {} of {} joined ({} on {}, {} local ranks)", world->rank, world->size, options.backend,
               device.str(), world->local_size);
  // The other ranks' progress repeats rank 0's: they report warnings and errors only.
  if (!group->is_main()) logging::console_warnings_only();
  return group;
}

}  // namespace

const std::vector<std::string>& keys_changeable_on_resume() {
  static const std::vector<std::string> keys = {"name",          "output",       "threads",
                                                "data.workers",  "data.prefetch", "train.epochs",
                                                "train.log_every", "distributed.timeout_s", "distributed.bucket_mb"};
  return keys;
}

nlohmann::ordered_json run_experiment(const config::ExperimentConfig& config, const RunOptions& options) {
  const auto wall_start = std::chrono::steady_clock::now();
  const auto world = dist::world_from_environment();
  const Runtime runtime = setup_rank_runtime(config, world);
  const auto group = join_group(config, world, runtime.device);
  const bool writes = !group || group->is_main();  // only rank 0 writes the run directory

  const data::DatasetSplits data = data::load_dataset(config.data, static_cast<uint64_t>(config.seed), options.images);
  check_monitor("train.checkpoint.monitor", config.train.checkpoint.monitor, data);
  if (!config.train.early_stopping.monitor.empty()) {
    check_monitor("train.early_stopping.monitor", config.train.early_stopping.monitor, data);
  }
  if (config.scheduler.type == "reduce_on_plateau") check_monitor("scheduler.monitor", config.scheduler.monitor, data);
  check_amp_device(config.train, runtime.device);
  const auto class_counts = data::class_counts(data::labels_of(data.train), data.num_classes);
  const auto class_weights = class_weights_for(config.loss.class_weights, class_counts);
  // Same flag on LibTorch 1.13 and 2.x; CPU kernels are then run-to-run identical.
  at::globalContext().setDeterministicAlgorithms(config.deterministic, /*warn_only=*/false);
  const auto input = models::model_input(config.model, data.input_shape, data.num_classes);
  std::optional<models::SyncBatchNormScope> sync_batchnorm;
  if (group && config.distributed.sync_batchnorm) {
    sync_batchnorm.emplace([rank_group = group.get()](std::vector<torch::Tensor>& sums) { rank_group->allreduce_sum(sums); });
  }
  auto model = models::build_model(config.model, input);
  sync_batchnorm.reset();
  load_pretrained(*model, config.model, input.input_shape);
  // Frozen tensors stay out of the optimizer, unless train.unfreeze_at_epoch brings them back:
  // then they join its groups now and hold no state until they get gradients.
  const bool unfreezes = config.train.unfreeze_at_epoch > 0;
  auto built = unfreezes ? optim::build_optimizer(config.optimizer, *model) : optim::BuiltOptimizer{};
  LayerFreezing freezing(*model, config.model.freeze, config.train.unfreeze_at_epoch);
  if (!unfreezes) built = optim::build_optimizer(config.optimizer, *model);
  const auto summary_table = models::summarize(*model, input.input_shape, config.data.batch_size);
  model->to(runtime.device);
  const auto memory_format = models::use_memory_format(config.memory_format, *model, runtime.device, config.train.amp);
  auto& optimizer = built.optimizer;

  const bool resuming = !options.resume.empty();
  io::RunDirectory run;
  if (resuming) {
    run = io::open_run_directory(options.resume);
  } else if (writes) {
    run = io::create_run_directory(options.output.empty() ? config.output : options.output, config.name, options.force);
  }
  if (group) run.path = group->share_text("run_dir", run.path);  // rank 0 picked the name
  run.checkpoints = run.path + "/checkpoints";
  const std::string resume_from = resuming ? checked_resume_checkpoint(config, run, writes) : "";
  const std::string resolved = config::to_yaml(config);
  std::optional<logging::FileLogScope> file_log;
  if (writes) {
    io::write_text_atomically(run.file("config.yaml"), resolved);
    file_log.emplace(run.file("train.log"));
  }
  spdlog::info("run directory {}", run.path);
  spdlog::info("data: {} train, {} val, {} test samples of shape [{}], {} classes", data.train.size(),
               data.val.size(), data.test.size(), fmt::join(data.input_shape, ", "), data.num_classes);
  if (!data.skipped.empty()) spdlog::warn("{} unreadable image files skipped (data.skip_corrupt)", data.skipped.size());
  spdlog::info("model {}: {} parameters, {} MACs per sample; device {} ({}); {} compute threads", config.model.type,
               summary_table.parameters, summary_table.macs, runtime.device.str(),
               memory_format == c10::MemoryFormat::ChannelsLast ? "channels-last" : "contiguous", runtime.threads.compute);
  spdlog::info("training samples per class: {}", fmt::join(class_counts, ", "));
  if (!class_weights.empty()) {
    spdlog::info("loss class weights ({}): {:.4g}", config.loss.class_weights.type, fmt::join(class_weights, ", "));
  }

  for (std::size_t g = 0; g < built.groups.size(); ++g)
    spdlog::info("optimizer {} group {}: {} ({} tensors), lr {:g}, weight decay {:g}", config.optimizer.type, g,
                 built.groups[g].label, built.groups[g].params.size(), built.groups[g].lr,
                 built.groups[g].weight_decay);
  TrainingRun training{config,
                       model,
                       *optimizer,
                       data,
                       runtime.device,
                       run,
                       resolved,
                       class_weights,
                       resume_from,
                       {},
                       optim::pattern_group_indices(built.groups, config.optimizer.param_groups.size()),
                       &freezing,
                       options.epoch_end,
                       group.get()};
  const TrainingOutcome outcome = fit(training);

  io::MetricRow final_metrics = outcome.last_metrics;
  if (data.test.size() > 0) {
    data::BatchLoader test_loader(
        data.test, loader_share(data::loader_options_for(config.data, 0, /*training=*/false, runtime.device.is_cuda()),
                                group.get(), false));
    const auto test = sum_over_ranks(evaluate(model, test_loader, data.num_classes, runtime.device), group.get());
    for (auto& entry : split_metrics("test", test, data.class_names)) final_metrics.push_back(entry);
    spdlog::info("test: loss {:.4f}, accuracy {:.4f}, balanced accuracy {:.4f}, macro-F1 {:.4f}", test.loss(),
                 test.accuracy(), test.balanced_accuracy(), test.macro_f1());
  }

  const double wall_seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - wall_start).count();
  nlohmann::ordered_json summary;
  summary["name"] = config.name;
  summary["run_dir"] = run.path;
  summary["status"] = "completed";
  summary["stop_reason"] = outcome.stop_reason;
  summary["epochs_completed"] = outcome.epochs_completed;
  summary["epochs_planned"] = config.train.epochs;
  if (outcome.resumed_from_epoch >= 0) summary["resumed_after_epoch"] = outcome.resumed_from_epoch;
  if (!config.train.early_stopping.monitor.empty()) {
    summary["early_stopping"] = {
        {"monitor", config.train.early_stopping.monitor},
        {"mode", config.train.early_stopping.mode},
        {"best_epoch", outcome.early_stopping_best_epoch},
        {"best_value", outcome.early_stopping_best_epoch > 0 ? nlohmann::ordered_json(outcome.early_stopping_best_value)
                                                             : nullptr},
        {"stopped", outcome.stop_reason == "early_stopping"},
        {"reason", outcome.stop_detail},
        {"restored_best", outcome.restored_best}};
  }
  summary["best"] = {{"epoch", outcome.best_epoch},
                     {"monitor", config.train.checkpoint.monitor},
                     {"mode", config.train.checkpoint.mode},
                     {"value", outcome.best_epoch > 0 ? nlohmann::ordered_json(outcome.best_value) : nullptr},
                     {"metrics", row_json(outcome.best_metrics)}};
  summary["final"] = row_json(final_metrics);
  summary["wall_time_s"] = wall_seconds;
  summary["train_time_s"] = outcome.train_seconds;
  summary["samples_per_second"] = outcome.samples_per_second;
  summary["data_wait_fraction"] = outcome.train_seconds > 0 ? outcome.data_wait_seconds / outcome.train_seconds : 0.0;
  summary["first_step_seconds"] = outcome.first_step_seconds;
  summary["parameters"] = summary_table.parameters;
  summary["macs_per_sample"] = summary_table.macs;
  summary["class_names"] = data.class_names;
  summary["class_counts"] = class_counts;
  summary["skipped_files"] = {{"count", data.skipped.size()}, {"paths", data.skipped}};
  if (!data.feature_names.empty()) {
    summary["feature_scaling"] = {
        {"features", data.feature_names}, {"mean", data.feature_mean}, {"std", data.feature_std}};
  }
  summary["class_weights"] = class_weights.empty() ? nlohmann::ordered_json(nullptr) : nlohmann::ordered_json(class_weights);
  summary["device"] = runtime.device.str();
  summary["threads"] = {{"compute", runtime.threads.compute}, {"blas", runtime.threads.blas}};
  if (group) {
    summary["distributed"] = {{"world_size", group->size()},
                              {"backend", group->backend()},
                              {"allreduce_seconds", outcome.allreduce_seconds},
                              {"allreduce_fraction", outcome.train_seconds > 0 ? outcome.allreduce_seconds / outcome.train_seconds : 0.0}};
  }
  summary["versions"] = {{"dltrain", dltrain_version()}, {"libtorch", libtorch_version()}};
  if (!writes) return summary;
  io::write_text_atomically(run.file("summary.json"), summary.dump(2) + "\n");
  spdlog::info("finished in {:.1f}s; summary in {}", wall_seconds, run.file("summary.json"));
  return summary;
}

}  // namespace dltrain::train
