// Synthetic objectives and spaces for search tests: no training, same runner interface.
#pragma once

#include <cmath>
#include <string>

#include "dltrain/search/search_runner.h"
#include "dltrain/search/search_space.h"

namespace search_test {

using namespace dltrain::search;

inline Param uniform(const std::string& key, double low, double high) {
  Param p;
  p.key = key;
  p.kind = ParamKind::uniform;
  p.low = low, p.high = high;
  return p;
}

inline Param choice(const std::string& key, std::vector<nlohmann::json> choices) {
  Param p;
  p.key = key;
  p.kind = ParamKind::choice;
  p.choices = std::move(choices);
  return p;
}

inline Param integer(const std::string& key, int64_t low, int64_t high) {
  Param p;
  p.key = key;
  p.kind = ParamKind::integer;
  p.low = double(low), p.high = double(high);
  return p;
}

// A plan for a synthetic study: maximize, no redraws, fast polling.
inline WorkerPlan plan_for(const SearchSpace& space, const std::string& sampler, int64_t trials, uint64_t seed = 0) {
  WorkerPlan plan;
  plan.space = space;
  plan.sampler.type = sampler;
  plan.rules.budget = trials;
  plan.seed = seed;
  plan.poll_s = 0.02;
  return plan;
}

// Learning curves of `epochs` epochs rising towards `final_value`, reported per epoch.
inline TrialOutcome curve_trial(double final_value, int64_t epochs, const EpochReport& report) {
  TrialOutcome outcome;
  for (int64_t e = 1; e <= epochs; ++e) {
    const double value = final_value * (1.0 - std::pow(0.5, double(e)));
    ++outcome.epochs;
    outcome.value = value;
    if (report(e, value)) {
      outcome.pruned = true;
      return outcome;
    }
  }
  return outcome;
}

}  // namespace search_test
