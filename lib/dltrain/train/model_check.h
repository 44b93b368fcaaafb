// `dltrain check`: builds the data description and the model from a config, without
// training, so shape and option errors surface before any time is spent.
#pragma once

#include <nlohmann/json_fwd.hpp>
#include <string>

#include "dltrain/config/experiment_config.h"
#include "dltrain/data/sample_transform.h"
#include "dltrain/models/model_summary.h"

namespace dltrain::train {

struct ModelCheck {
  std::vector<int64_t> input_shape;
  int64_t num_classes = 0;
  bool data_read = false;  // false when model.input_shape and model.num_classes made the data unnecessary
  int64_t train_samples = 0, val_samples = 0, test_samples = 0;
  models::ModelSummary model;
};

ModelCheck check_model(const config::ExperimentConfig& config, const data::ImageSupport& images = {});

std::string format_model_check(const ModelCheck& check);

nlohmann::ordered_json model_check_json(const config::ExperimentConfig& config, const ModelCheck& check);

}  // namespace dltrain::train
