// Pruners decide, after each epoch of a trial, whether to stop it, from the per-epoch objective
// values every trial of the study reported so far.
//   median: stop when the value is worse than the median of other trials' values at the same
//           epoch (after warmup_epochs, once min_trials others reported it).
//   asha:   asynchronous successive halving: rungs at min_epochs * eta^k epochs; at a rung a
//           trial continues only when it is in the best 1/eta of all values seen at that rung
//           (a trial alone at a rung continues), as in Optuna's SuccessiveHalvingPruner.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace dltrain::search {

struct PrunerSpec {
  std::string type = "none";  // none | median | asha
  int64_t min_epochs = 1;     // asha: the first rung
  double eta = 3.0;           // asha: reduction factor
  int64_t warmup_epochs = 1;  // median: never prune at or before this epoch
  int64_t min_trials = 4;     // median: other trials needed at an epoch before judging
};

// `others`: the values other trials reported at `epoch`; `own` the trial's value there.
bool should_prune(const PrunerSpec& spec, bool maximize, int64_t epoch, double own, const std::vector<double>& others);

// asha: whether `epoch` is a rung (min_epochs * eta^k).
bool is_rung(const PrunerSpec& spec, int64_t epoch);

}  // namespace dltrain::search
