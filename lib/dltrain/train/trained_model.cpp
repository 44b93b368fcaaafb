// The model is rebuilt from the checkpoint's own config, so a run directory needs nothing else.
#include "dltrain/train/trained_model.h"

#include <torch/torch.h>

#include <filesystem>

#include "dltrain/config/load_config.h"
#include "dltrain/core/error.h"
#include "dltrain/io/checkpoint.h"
#include "dltrain/models/memory_format.h"
#include "dltrain/models/model_builder.h"

namespace dltrain::train {

TrainedModel load_trained_model(const std::string& run_dir) {
  if (!std::filesystem::is_directory(run_dir)) throw DataError("--run: '" + run_dir + "' is not a run directory");
  TrainedModel trained;
  trained.checkpoint = io::run_checkpoint(run_dir);
  const io::CheckpointInfo info = io::read_checkpoint_info(trained.checkpoint);
  trained.config = config::load_config_from_string(info.config_yaml, trained.checkpoint + " (stored config)");
  trained.class_names = info.class_names;
  trained.input_shape = info.input_shape;
  trained.features = {info.feature_names, info.feature_mean, info.feature_std, info.feature_fill,
                      trained.config.data.csv.missing == "mean"};
  trained.model = models::build_model(trained.config.model,
                                      {info.input_shape, static_cast<int64_t>(info.class_names.size())});
  trained.epoch = io::load_checkpoint(trained.checkpoint, *trained.model, nullptr).epoch;
  models::use_memory_format(trained.config.memory_format, *trained.model, c10::Device(c10::kCPU), /*amp=*/false);
  trained.model->eval();
  return trained;
}

}  // namespace dltrain::train
