// `dltrain eval`: rebuilds a run's data split and model from a checkpoint and measures it.
#pragma once

#include <string>
#include <vector>

#include "dltrain/data/sample_transform.h"
#include "dltrain/eval/classification_metrics.h"

namespace dltrain::train {

struct EvaluationRequest {
  std::string run_dir;      // a run directory, or "" when checkpoint is a path
  std::string checkpoint;   // "last" | "best" | a file path
  std::string config_path;  // optional: a config to use instead of the one stored in the checkpoint
  std::string split = "test";  // test | val
  data::ImageSupport images;     // image decoding and augmentation (from the vision module, if built)
};

struct EvaluationResult {
  eval::ClassificationMetrics metrics{1};
  std::vector<std::string> class_names;
  std::string checkpoint_path;
  std::string split;
  int64_t epoch = 0;
  double samples_per_second = 0.0;  // of the evaluation pass alone
};

EvaluationResult evaluate_checkpoint(const EvaluationRequest& request);

}  // namespace dltrain::train
