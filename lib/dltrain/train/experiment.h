// `dltrain run`: a resolved config in, a finished run directory out (config.yaml, metrics,
// checkpoints, summary.json, train.log). Returns the summary document.
#pragma once

#include <nlohmann/json_fwd.hpp>
#include <string>
#include <vector>

#include "dltrain/config/experiment_config.h"
#include "dltrain/data/sample_transform.h"
#include "dltrain/train/epoch_hook.h"

namespace dltrain::train {

struct RunOptions {
  std::string output;  // overrides config.output when not empty
  bool force = false;  // reuse <output>/<name> instead of picking a new suffix
  std::string resume;  // a run directory to continue from its checkpoints/last.pt
  data::ImageSupport images;  // image decoding and augmentation (from the vision module, if built)
  EpochEndHook epoch_end = nullptr;  // after each epoch; true stops the run as "pruned"
};

// The config keys a resumed run may change: they cannot alter what was already trained.
const std::vector<std::string>& keys_changeable_on_resume();

nlohmann::ordered_json run_experiment(const config::ExperimentConfig& config, const RunOptions& options);

}  // namespace dltrain::train
