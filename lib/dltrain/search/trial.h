// One trial of a study as stored: its parameters, state and results.
#pragma once

#include <cstdint>
#include <string>

#include "dltrain/search/search_space.h"

namespace dltrain::search {

enum class TrialState { running, complete, pruned, failed };

const char* state_name(TrialState state);
TrialState parse_state(const std::string& name);

// A trial's run directory name under the study's output: trial-0007.
std::string trial_name(int64_t number);

struct Trial {
  int64_t number = 0;  // 0, 1, ... in the order trials were created
  TrialState state = TrialState::running;
  Assignment params = Assignment::object();
  bool has_value = false;
  double value = 0.0;  // the objective (complete) or the last reported value (pruned)
  int64_t epochs = 0;  // epochs reported
  int64_t attempts = 0;
  std::string run_dir, worker, error;
};

}  // namespace dltrain::search
