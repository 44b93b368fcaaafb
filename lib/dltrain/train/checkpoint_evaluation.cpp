// The split is rebuilt from the stored config with the same seed, so val is the very same
// held-out subset the run validated on, and test metrics match summary.json exactly.
#include "dltrain/train/checkpoint_evaluation.h"

#include <spdlog/spdlog.h>
#include <torch/torch.h>

#include <chrono>
#include <filesystem>

#include "dltrain/config/load_config.h"
#include "dltrain/core/error.h"
#include "dltrain/core/runtime.h"
#include "dltrain/data/batch_loader.h"
#include "dltrain/data/image_dataset.h"
#include "dltrain/io/checkpoint.h"
#include "dltrain/models/memory_format.h"
#include "dltrain/io/run_directory.h"
#include "dltrain/models/model_builder.h"
#include "dltrain/train/evaluation.h"

namespace dltrain::train {
namespace {

std::string checkpoint_path(const EvaluationRequest& request) {
  if (request.run_dir.empty()) return request.checkpoint;
  const auto run = io::open_run_directory(request.run_dir);
  if (request.checkpoint == "last" || request.checkpoint == "best") return run.checkpoints + "/" + request.checkpoint + ".pt";
  return request.checkpoint;
}

}  // namespace

EvaluationResult evaluate_checkpoint(const EvaluationRequest& request) {
  if (request.split != "test" && request.split != "val") {
    throw ConfigError("--split: expected test or val, got \"" + request.split + "\"");
  }
  EvaluationResult result;
  result.checkpoint_path = checkpoint_path(request);
  result.split = request.split;
  const io::CheckpointInfo info = io::read_checkpoint_info(result.checkpoint_path);
  const config::ExperimentConfig config =
      request.config_path.empty()
          ? config::load_config_from_string(info.config_yaml, result.checkpoint_path + " (stored config)")
          : config::load_config(request.config_path);
  const Runtime runtime = setup_runtime(config.threads, static_cast<uint64_t>(config.seed), config.device);

  const data::DatasetSplits data = data::load_dataset(config.data, static_cast<uint64_t>(config.seed), request.images);
  const data::ImageSet& set = request.split == "test" ? data.test : data.val;
  if (set.size() == 0) {
    throw ConfigError("--split " + request.split + ": the config defines no " + request.split + " split" +
                      (request.split == "val" ? " (data.val_split is 0)" : " (data.test is empty)"));
  }
  const int64_t num_classes = static_cast<int64_t>(info.class_names.size());
  auto model = models::build_model(config.model, {info.input_shape, num_classes});
  result.epoch = io::load_checkpoint(result.checkpoint_path, *model, nullptr).epoch;
  model->to(runtime.device);
  models::use_memory_format(config.memory_format, *model, runtime.device, /*amp=*/false);
  result.class_names = info.class_names;

  data::BatchLoader loader(set, data::loader_options_for(config.data, 0, /*training=*/false, runtime.device.is_cuda()));
  const auto start = std::chrono::steady_clock::now();
  result.metrics = evaluate(model, loader, num_classes, runtime.device);
  result.samples_per_second =
      double(set.size()) / std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  spdlog::info("evaluated {} (epoch {}) on {} {} samples", result.checkpoint_path, result.epoch, set.size(),
               request.split);
  return result;
}

}  // namespace dltrain::train
