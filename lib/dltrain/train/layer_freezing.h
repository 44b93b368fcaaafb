// model.freeze and train.unfreeze_at_epoch: parameters selected by name globs stop training
// (requires_grad off, so they get no gradient and the optimizer keeps no state for them) and
// the batch-norm layers among them keep their running statistics.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

namespace torch::nn {
class Module;
}

namespace dltrain::train {

class LayerFreezing {
 public:
  // Freezes every parameter matching one of `patterns` (optim::glob_match). A pattern that
  // matches no parameter is a ConfigError naming model.freeze[i]. `unfreeze_at_epoch` 0: never.
  LayerFreezing(torch::nn::Module& model, const std::vector<std::string>& patterns, int64_t unfreeze_at_epoch);

  // Call after model.train() at the start of each (1-based) epoch: unfreezes when the epoch has
  // come, else puts the frozen normalization layers back in eval mode.
  void start_epoch(int64_t epoch);

  const std::vector<std::string>& frozen_names() const { return frozen_; }
  bool frozen() const { return !frozen_.empty() && !released_; }

 private:
  torch::nn::Module& model_;
  std::vector<std::string> frozen_;
  std::vector<std::shared_ptr<torch::nn::Module>> frozen_norms_;
  int64_t unfreeze_at_epoch_ = 0;
  bool released_ = false;
};

}  // namespace dltrain::train
