// A search worker: claims trials from the study, runs each through an objective that reports
// its per-epoch value (so the pruner can stop it), and records the outcome, until the budget
// is taken and no trial is left running. Any number of workers may share one study.
#pragma once

#include <cstdint>
#include <functional>
#include <string>

#include "dltrain/core/error.h"
#include "dltrain/search/pruner.h"
#include "dltrain/search/sampler.h"
#include "dltrain/search/study_store.h"

namespace dltrain::search {

struct TrialOutcome {
  double value = 0.0;  // the objective; NaN when there is none
  bool pruned = false;
  int64_t epochs = 0;
};

// Reports the objective after `epoch`; returns true when the trial should stop (pruned).
using EpochReport = std::function<bool(int64_t epoch, double value)>;
// A fault of the spec that every trial would meet (an objective metric no run logs): it fails
// the trial and stops the worker, exit 2.
class SpecError : public ConfigError {
 public:
  using ConfigError::ConfigError;
};

// Runs one trial. A dltrain::Error marks the trial failed; InterruptedError (retriable) and
// SpecError also stop the worker.
using TrialObjective = std::function<TrialOutcome(const Trial& trial, const EpochReport& report)>;
// Why the parameters break a constraint, or "" when they do not.
using ConstraintCheck = std::function<std::string(const Assignment& params)>;

struct WorkerPlan {
  SearchSpace space;
  SamplerSpec sampler;
  PrunerSpec pruner;
  ClaimRules rules;
  bool maximize = true;
  uint64_t seed = 0;
  std::string output;          // trials' run directories are <output>/trial-NNNN; "": none
  double wall_time_s = 0;      // stop claiming new trials after this long; 0: no limit
  double poll_s = 1.0;         // wait between looks while other workers still run trials
  int64_t max_redraws = 100;   // candidates drawn per trial before giving up on the constraints
};

struct WorkerSummary {
  int64_t trials = 0;  // trials this worker finished (any state)
  int64_t epochs = 0;  // epochs it trained
};

WorkerSummary run_worker(const std::string& storage, const std::string& fingerprint, const WorkerPlan& plan,
                         const TrialObjective& objective, const ConstraintCheck& constraints = nullptr);

}  // namespace dltrain::search
