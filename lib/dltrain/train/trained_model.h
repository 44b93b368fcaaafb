// A finished run as a usable model: its stored config, class names and final weights
// (checkpoints/last.pt, the weights `eval --run` measures), for predict and explain.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "dltrain/config/experiment_config.h"
#include "dltrain/data/input_files.h"
#include "dltrain/models/network.h"

namespace dltrain::train {

struct TrainedModel {
  config::ExperimentConfig config;         // the run's resolved config
  std::shared_ptr<models::Network> model;  // in eval mode, on the CPU
  std::vector<std::string> class_names;
  std::vector<int64_t> input_shape;        // one sample: [C, H, W], or [F] for a table
  data::FeatureColumns features;           // tables: the columns and their training scaling
  std::string checkpoint;
  int64_t epoch = 0;
};

// DataError when the run directory or its checkpoint is missing or unreadable.
TrainedModel load_trained_model(const std::string& run_dir);

}  // namespace dltrain::train
