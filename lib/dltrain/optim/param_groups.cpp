// Parameter groups as timm builds them: the no-decay rule is by tensor rank, so it covers
// biases and every normalization layer's weight/bias without knowing module types.
#include "dltrain/optim/param_groups.h"

#include <fmt/format.h>

#include "dltrain/core/error.h"

namespace dltrain::optim {

bool glob_match(const std::string& pattern, const std::string& text) {
  std::size_t p = 0, t = 0, star = std::string::npos, resume = 0;
  while (t < text.size()) {
    if (p < pattern.size() && (pattern[p] == '?' || pattern[p] == text[t])) {
      ++p, ++t;
    } else if (p < pattern.size() && pattern[p] == '*') {
      star = p++;
      resume = t;
    } else if (star != std::string::npos) {
      p = star + 1;
      t = ++resume;
    } else {
      return false;
    }
  }
  while (p < pattern.size() && pattern[p] == '*') ++p;
  return p == pattern.size();
}

std::vector<ParamGroupPlan> plan_param_groups(const config::OptimizerConfig& config, const NamedParameters& params) {
  const std::size_t patterns = config.param_groups.size();
  // Slot 2*i (+1 for no decay) for pattern i; the last two slots are the default group.
  std::vector<ParamGroupPlan> slots(2 * (patterns + 1));
  std::vector<int64_t> matches(patterns, 0);
  for (const auto& [name, tensor] : params) {
    if (!tensor.requires_grad()) continue;  // frozen
    std::size_t group = patterns;
    for (std::size_t i = 0; i < patterns && group == patterns; ++i)
      if (glob_match(config.param_groups[i].match, name)) group = i;
    if (group < patterns) ++matches[group];
    const bool no_decay = !config.decay_norm_and_bias && tensor.dim() <= 1;
    auto& slot = slots[2 * group + (no_decay ? 1 : 0)];
    slot.names.push_back(name);
    slot.params.push_back(tensor);
  }
  for (std::size_t i = 0; i < patterns; ++i) {
    if (matches[i] > 0) continue;
    std::string examples;
    for (std::size_t k = 0; k < params.size() && k < 4; ++k) examples += (k ? ", " : "") + params[k].first;
    throw ConfigError(fmt::format("optimizer.param_groups[{}].match: \"{}\" matches no parameter; names look like {}",
                                  i, config.param_groups[i].match, examples));
  }
  // Default group first: its lr is the one logged as `lr`.
  std::vector<ParamGroupPlan> groups;
  for (std::size_t k = 0; k < slots.size(); ++k) {
    const std::size_t index = (k + 2 * patterns) % slots.size();
    const std::size_t group = index / 2;
    const bool no_decay = index % 2 == 1;
    auto& slot = slots[index];
    if (slot.params.empty()) continue;
    const double lr_scale = group < patterns ? config.param_groups[group].lr_scale : 1.0;
    const double wd_scale = group < patterns ? config.param_groups[group].weight_decay_scale : 1.0;
    slot.label = (group < patterns ? config.param_groups[group].match : std::string("default")) +
                 (no_decay ? " (no weight decay)" : "");
    slot.pattern = group < patterns ? static_cast<int>(group) : -1;
    slot.lr = config.lr * lr_scale;
    slot.weight_decay = no_decay ? 0.0 : config.weight_decay * wd_scale;
    groups.push_back(std::move(slot));
  }
  return groups;
}

std::vector<std::size_t> pattern_group_indices(const std::vector<ParamGroupPlan>& groups, std::size_t patterns) {
  std::vector<std::size_t> indices(patterns, 0);
  for (std::size_t g = groups.size(); g-- > 0;)
    if (groups[g].pattern >= 0) indices[static_cast<std::size_t>(groups[g].pattern)] = g;
  return indices;
}

}  // namespace dltrain::optim
