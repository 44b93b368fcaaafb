// `dltrain search status`: the study's trials ranked (complete by objective, then pruned by
// epochs reached and value, then running and failed), as a table or JSON; and the best trial's
// resolved config as a ready-to-run YAML.
#pragma once

#include <nlohmann/json_fwd.hpp>
#include <optional>
#include <string>
#include <vector>

#include "dltrain/search/trial.h"

namespace dltrain::search {

// What a study file says about itself (from its fingerprint).
struct StudyInfo {
  std::string name, metric;
  bool maximize = true;
};
StudyInfo study_info(const std::string& fingerprint);

std::vector<Trial> ranked_trials(std::vector<Trial> trials, bool maximize);

std::string format_leaderboard(const StudyInfo& info, const std::vector<Trial>& ranked);
nlohmann::ordered_json leaderboard_json(const StudyInfo& info, const std::vector<Trial>& ranked);

// The best complete trial, if any.
std::optional<Trial> best_trial(const std::vector<Trial>& trials, bool maximize);

// Writes the trial's resolved config (its run's config.yaml) renamed <study>-best to `path`.
void write_best_config(const Trial& best, const std::string& study_name, const std::string& path);

}  // namespace dltrain::search
