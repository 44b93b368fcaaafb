// Checkpoints: model tensors with a name/shape manifest, optimizer state, and what the run
// needs to be rebuilt (resolved config, class names, epoch, metrics). Written atomically.
#pragma once

#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include <torch/types.h>

#include "dltrain/io/resumable_state.h"

namespace torch::nn {
class Module;
}
namespace torch::optim {
class Optimizer;
}

namespace dltrain::io {

struct CheckpointInfo {
  int64_t epoch = 0;
  std::string config_yaml;   // the resolved config of the run
  std::string metrics_json;  // the epoch's metrics as a JSON object
  std::vector<std::string> class_names;
  std::vector<int64_t> input_shape;
  double lr = 0.0;
  // Tabular (csv) models: the feature columns and the training split's scaling, x' = (x - mean) / std,
  // so predict can read new tables without the run's data. Empty for image models.
  std::vector<std::string> feature_names;
  std::vector<double> feature_mean, feature_std;
  std::vector<double> feature_fill;  // an empty cell's value under data.csv.missing: mean (table units)
};

// `optimizer` may be null (weights-only checkpoint). Each of `states` is saved in its named slot.
void save_checkpoint(const std::string& path, torch::nn::Module& model, torch::optim::Optimizer* optimizer,
                     const CheckpointInfo& info, const NamedStates& states = {});

// Reads the metadata only (to rebuild the model before loading it).
CheckpointInfo read_checkpoint_info(const std::string& path);

// Loads weights (and optimizer state when `optimizer` is given) after checking every tensor's
// name and shape against the model. Throws DataError naming the first mismatch.
// Each of `states` is loaded from its slot; a missing slot is a DataError (not a resume checkpoint).
CheckpointInfo load_checkpoint(const std::string& path, torch::nn::Module& model, torch::optim::Optimizer* optimizer,
                               const NamedStates& states = {});

// Every stored model tensor (parameters then buffers) under its dotted name, on the CPU: for
// pre-trained weights and export, which need no model of the same shape.
std::vector<std::pair<std::string, torch::Tensor>> read_checkpoint_tensors(const std::string& path);

// The checkpoint whose weights stand for a run: checkpoints/last.pt, the weights `eval --run`
// measures (the best epoch's when early stopping restored them). DataError when it is missing.
std::string run_checkpoint(const std::string& run_dir);

}  // namespace dltrain::io
