// Ranking, the leaderboard table and JSON, and best.yaml.
#include "dltrain/search/leaderboard.h"

#include <fmt/format.h>

#include <algorithm>
#include <nlohmann/json.hpp>

#include "dltrain/config/load_config.h"
#include "dltrain/config/resolved_yaml.h"
#include "dltrain/core/error.h"
#include "dltrain/io/atomic_file.h"

namespace dltrain::search {
namespace {

int state_rank(TrialState state) {
  switch (state) {
    case TrialState::complete: return 0;
    case TrialState::pruned: return 1;
    case TrialState::running: return 2;
    case TrialState::failed: return 3;
  }
  return 4;
}

std::string params_text(const Assignment& params) {
  std::string text;
  for (const auto& [key, value] : params.items()) {
    const std::string v = value.is_number_float() ? fmt::format("{:.4g}", value.get<double>())
                          : value.is_string()     ? value.get<std::string>()
                                                  : value.dump();
    text += (text.empty() ? "" : " ") + key + "=" + v;
  }
  return text;
}

}  // namespace

StudyInfo study_info(const std::string& fingerprint) {
  const auto json = nlohmann::json::parse(fingerprint, nullptr, false);
  if (json.is_discarded() || !json.contains("metric")) throw DataError("study database: unreadable study record");
  return {json.value("name", ""), json.value("metric", ""), json.value("maximize", true)};
}

std::vector<Trial> ranked_trials(std::vector<Trial> trials, bool maximize) {
  const double sign = maximize ? -1.0 : 1.0;
  std::stable_sort(trials.begin(), trials.end(), [sign](const Trial& a, const Trial& b) {
    if (state_rank(a.state) != state_rank(b.state)) return state_rank(a.state) < state_rank(b.state);
    if (a.state == TrialState::pruned && a.epochs != b.epochs) return a.epochs > b.epochs;
    if (a.has_value != b.has_value) return a.has_value;
    if (a.has_value && a.value != b.value) return sign * a.value < sign * b.value;
    return a.number < b.number;
  });
  return trials;
}

std::optional<Trial> best_trial(const std::vector<Trial>& trials, bool maximize) {
  const auto ranked = ranked_trials(trials, maximize);
  if (ranked.empty() || ranked.front().state != TrialState::complete || !ranked.front().has_value) return std::nullopt;
  return ranked.front();
}

std::string format_leaderboard(const StudyInfo& info, const std::vector<Trial>& ranked) {
  std::string out = fmt::format("study {}: {} {} over {} trials\n", info.name, info.maximize ? "maximize" : "minimize",
                                info.metric, ranked.size());
  out += fmt::format("{:>4}  {:>5}  {:>12}  {:>6}  {:<8}  {}\n", "rank", "trial", info.metric, "epochs", "state", "params");
  for (std::size_t i = 0; i < ranked.size(); ++i) {
    const Trial& t = ranked[i];
    out += fmt::format("{:>4}  {:>5}  {:>12}  {:>6}  {:<8}  {}{}\n", i + 1, t.number,
                       t.has_value ? fmt::format("{:.6g}", t.value) : "-", t.epochs, state_name(t.state),
                       params_text(t.params), t.error.empty() ? "" : "  (" + t.error + ")");
  }
  return out;
}

nlohmann::ordered_json leaderboard_json(const StudyInfo& info, const std::vector<Trial>& ranked) {
  nlohmann::ordered_json rows = nlohmann::ordered_json::array();
  for (std::size_t i = 0; i < ranked.size(); ++i) {
    const Trial& t = ranked[i];
    rows.push_back({{"rank", i + 1},
                    {"number", t.number},
                    {"state", state_name(t.state)},
                    {"value", t.has_value ? nlohmann::ordered_json(t.value) : nullptr},
                    {"epochs", t.epochs},
                    {"attempts", t.attempts},
                    {"params", t.params},
                    {"run_dir", t.run_dir},
                    {"error", t.error}});
  }
  return {{"study", info.name},
          {"metric", info.metric},
          {"direction", info.maximize ? "maximize" : "minimize"},
          {"trials", rows}};
}

void write_best_config(const Trial& best, const std::string& study_name, const std::string& path) {
  const auto config = config::load_config(best.run_dir + "/config.yaml", {"name=" + study_name + "-best"});
  io::write_text_atomically(path, config::to_yaml(config));
}

}  // namespace dltrain::search
