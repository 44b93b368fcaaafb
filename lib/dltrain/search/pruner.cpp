// Median and ASHA pruning decisions; see pruner.h.
#include "dltrain/search/pruner.h"

#include <algorithm>
#include <cmath>

namespace dltrain::search {

bool is_rung(const PrunerSpec& spec, int64_t epoch) {
  for (double rung = double(spec.min_epochs); rung <= double(epoch) + 0.5; rung *= spec.eta) {
    if (std::llround(rung) == epoch) return true;
  }
  return false;
}

bool should_prune(const PrunerSpec& spec, bool maximize, int64_t epoch, double own, const std::vector<double>& others) {
  if (!std::isfinite(own)) return spec.type != "none";
  // Values as losses (smaller is better) from here on.
  const double sign = maximize ? -1.0 : 1.0;
  std::vector<double> losses;
  for (const double v : others) {
    if (std::isfinite(v)) losses.push_back(sign * v);
  }
  const double loss = sign * own;
  if (spec.type == "median") {
    if (epoch <= spec.warmup_epochs || int64_t(losses.size()) < spec.min_trials) return false;
    std::sort(losses.begin(), losses.end());
    const std::size_t n = losses.size();
    const double median = n % 2 ? losses[n / 2] : 0.5 * (losses[n / 2 - 1] + losses[n / 2]);
    return loss > median;
  }
  if (spec.type == "asha") {
    if (!is_rung(spec, epoch)) return false;
    losses.push_back(loss);
    std::sort(losses.begin(), losses.end());
    // The best floor(n / eta) values are promoted; with fewer than eta values, only the best.
    std::size_t promotable = static_cast<std::size_t>(double(losses.size()) / spec.eta);
    promotable = std::max<std::size_t>(promotable, 1);
    return loss > losses[promotable - 1];
  }
  return false;
}

}  // namespace dltrain::search
