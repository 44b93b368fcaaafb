// A normalization layer counts as frozen when it has parameters and all are frozen, or when a
// pattern names its running_mean buffer ("features.*" covers both).
#include "dltrain/train/layer_freezing.h"

#include <fmt/format.h>
#include <spdlog/spdlog.h>
#include <torch/torch.h>

#include "dltrain/core/error.h"
#include "dltrain/optim/param_groups.h"

namespace dltrain::train {
namespace {

bool matches_any(const std::vector<std::string>& patterns, const std::string& name) {
  for (const auto& pattern : patterns)
    if (optim::glob_match(pattern, name)) return true;
  return false;
}

}  // namespace

LayerFreezing::LayerFreezing(torch::nn::Module& model, const std::vector<std::string>& patterns,
                             int64_t unfreeze_at_epoch)
    : model_(model), unfreeze_at_epoch_(unfreeze_at_epoch) {
  if (patterns.empty()) return;
  const auto params = model.named_parameters();
  for (std::size_t i = 0; i < patterns.size(); ++i) {
    bool used = false;
    for (const auto& item : params) used = used || optim::glob_match(patterns[i], item.key());
    if (!used) {
      std::string examples;
      for (std::size_t k = 0; k < params.size() && k < 4; ++k) examples += (k ? ", " : "") + params[k].key();
      throw ConfigError(fmt::format("model.freeze[{}]: \"{}\" matches no parameter; names look like {}", i,
                                    patterns[i], examples));
    }
  }
  for (auto& item : params) {
    if (!matches_any(patterns, item.key())) continue;
    item.value().set_requires_grad(false);
    frozen_.push_back(item.key());
  }
  for (const auto& item : model.named_modules()) {
    auto& module = *item.value();
    if (!module.named_buffers(/*recurse=*/false).contains("running_mean")) continue;
    const auto own = module.named_parameters(/*recurse=*/false);
    bool all_frozen = !own.is_empty();
    for (const auto& p : own) all_frozen = all_frozen && !p.value().requires_grad();
    const std::string buffer = item.key().empty() ? "running_mean" : item.key() + ".running_mean";
    if (all_frozen || matches_any(patterns, buffer)) frozen_norms_.push_back(item.value());
  }
  spdlog::info("model.freeze: {} parameter tensors frozen ({} normalization layers keep their statistics){}",
               frozen_.size(), frozen_norms_.size(),
               unfreeze_at_epoch > 0 ? fmt::format(" until epoch {}", unfreeze_at_epoch) : "");
}

void LayerFreezing::start_epoch(int64_t epoch) {
  if (!frozen()) return;
  if (unfreeze_at_epoch_ > 0 && epoch >= unfreeze_at_epoch_) {
    const auto params = model_.named_parameters();
    for (const auto& name : frozen_) params[name].set_requires_grad(true);
    released_ = true;
    spdlog::info("epoch {}: unfreezing {} parameter tensors (train.unfreeze_at_epoch)", epoch, frozen_.size());
    return;
  }
  for (auto& norm : frozen_norms_) norm->eval();
}

}  // namespace dltrain::train
