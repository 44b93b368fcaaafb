// Wires config -> data, model, optimizer -> trainer -> run directory. Everything that can be
// checked is checked before the run directory is created, so a bad config leaves no debris.
#include "dltrain/train/experiment.h"

#include <spdlog/spdlog.h>
#include <torch/torch.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <nlohmann/json.hpp>

#include "dltrain/config/resolved_yaml.h"
#include "dltrain/core/error.h"
#include "dltrain/core/logging.h"
#include "dltrain/core/runtime.h"
#include "dltrain/core/version.h"
#include "dltrain/data/batch_loader.h"
#include "dltrain/data/image_dataset.h"
#include "dltrain/io/atomic_file.h"
#include "dltrain/io/run_directory.h"
#include "dltrain/models/model_builder.h"
#include "dltrain/models/model_summary.h"
#include "dltrain/optim/optimizer_factory.h"
#include "dltrain/train/evaluation.h"
#include "dltrain/train/trainer.h"
#include "dltrain/train/training_step.h"

namespace dltrain::train {
namespace {

nlohmann::ordered_json row_json(const io::MetricRow& row) {
  nlohmann::ordered_json json = nlohmann::ordered_json::object();
  for (const auto& [name, value] : row) json[name] = std::isfinite(value) ? nlohmann::ordered_json(value) : nullptr;
  return json;
}

void check_monitor(const std::string& key, const std::string& monitor, bool has_validation) {
  const auto names = epoch_metric_names(has_validation);
  if (std::find(names.begin(), names.end(), monitor) != names.end()) return;
  std::string known;
  for (const auto& name : names) known += (known.empty() ? "" : ", ") + name;
  throw ConfigError(key + ": \"" + monitor + "\" is not logged by this run" +
                    (has_validation ? "" : " (data.val_split is 0, so there are no val/ metrics)") +
                    "; expected one of " + known);
}

}  // namespace

nlohmann::ordered_json run_experiment(const config::ExperimentConfig& config, const RunOptions& options) {
  const auto wall_start = std::chrono::steady_clock::now();
  const Runtime runtime = setup_runtime(config.threads, static_cast<uint64_t>(config.seed), config.device);

  const data::DatasetSplits data = data::load_dataset(config.data, static_cast<uint64_t>(config.seed));
  check_monitor("train.checkpoint.monitor", config.train.checkpoint.monitor, data.val.size() > 0);
  if (config.scheduler.type == "reduce_on_plateau")
    check_monitor("scheduler.monitor", config.scheduler.monitor, data.val.size() > 0);
  check_amp_device(config.train, runtime.device);
  auto model = models::build_model(config.model, {data.input_shape, data.num_classes});
  const auto summary_table = models::summarize(model, data.input_shape);
  model->to(runtime.device);
  auto built = optim::build_optimizer(config.optimizer, *model);
  auto& optimizer = built.optimizer;

  const io::RunDirectory run = io::create_run_directory(options.output.empty() ? config.output : options.output,
                                                        config.name, options.force);
  const std::string resolved = config::to_yaml(config);
  io::write_text_atomically(run.file("config.yaml"), resolved);
  logging::FileLogScope file_log(run.file("train.log"));
  spdlog::info("run directory {}", run.path);
  spdlog::info("data: {} train, {} val, {} test samples of shape [{}, {}, {}], {} classes", data.train.size(),
               data.val.size(), data.test.size(), data.input_shape[0], data.input_shape[1], data.input_shape[2],
               data.num_classes);
  spdlog::info("model {}: {} parameters; device {}; {} compute threads", config.model.type, summary_table.parameters,
               runtime.device.str(), runtime.threads.compute);

  for (std::size_t g = 0; g < built.groups.size(); ++g)
    spdlog::info("optimizer {} group {}: {} ({} tensors), lr {:g}, weight decay {:g}", config.optimizer.type, g,
                 built.groups[g].label, built.groups[g].params.size(), built.groups[g].lr,
                 built.groups[g].weight_decay);
  TrainingRun training{config, model, *optimizer, data, runtime.device, run, resolved,
                       optim::pattern_group_indices(built.groups, config.optimizer.param_groups.size())};
  const TrainingOutcome outcome = fit(training);

  io::MetricRow final_metrics = outcome.last_metrics;
  if (data.test.size() > 0) {
    data::BatchLoader test_loader(data.test, data::loader_options_for(config.data, 0, /*training=*/false));
    auto test = evaluate(model, test_loader, LossFunction(config.loss), data.num_classes, runtime.device);
    for (auto& entry : split_metrics("test", test)) final_metrics.push_back(entry);
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
  summary["parameters"] = summary_table.parameters;
  summary["device"] = runtime.device.str();
  summary["threads"] = {{"compute", runtime.threads.compute}, {"blas", runtime.threads.blas}};
  summary["versions"] = {{"dltrain", dltrain_version()}, {"libtorch", libtorch_version()}};
  io::write_text_atomically(run.file("summary.json"), summary.dump(2) + "\n");
  spdlog::info("finished in {:.1f}s; summary in {}", wall_seconds, run.file("summary.json"));
  return summary;
}

}  // namespace dltrain::train
