// A study in SQLite: one row per trial (params, state, value, worker, heartbeat, run dir,
// attempts) and one per reported epoch value. Several processes, on this or other machines,
// share one file: claiming work is one `BEGIN IMMEDIATE` transaction, so no two workers get
// the same trial and the budget is never overshot. A running trial whose worker died (same
// host and its pid is gone, or its heartbeat is stale) becomes failed and is retried.
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "dltrain/search/trial.h"

struct sqlite3;

namespace dltrain::search {

struct ClaimRules {
  int64_t budget = 0;            // trials in the study at most
  int64_t max_retries = 2;       // runs of a trial after its first that a dead worker may cost
  double stale_after_s = 120.0;  // a heartbeat older than this means the worker is gone
};

// Proposes the parameters of new trial `number` from the study's trials so far.
using Proposal = std::function<Assignment(const std::vector<Trial>& history, int64_t number)>;

class StudyStore {
 public:
  // Opens or creates the study at `path`. `fingerprint` names what the study searches; a file
  // holding a study with another fingerprint is refused (ConfigError). DataError when unusable.
  StudyStore(const std::string& path, const std::string& fingerprint);
  // Opens an existing study file only (for `search status`).
  explicit StudyStore(const std::string& path);
  ~StudyStore();
  StudyStore(const StudyStore&) = delete;
  StudyStore& operator=(const StudyStore&) = delete;

  // Marks trials of dead workers failed, then hands this worker a failed trial to retry, or a
  // new trial from `propose`, or nothing when the budget is taken.
  std::optional<Trial> claim(const ClaimRules& rules, const Proposal& propose);

  void heartbeat(int64_t number);
  void set_run_dir(int64_t number, const std::string& run_dir);
  void report(int64_t number, int64_t epoch, double value);
  // Values every other trial reported at `epoch`.
  std::vector<double> values_at(int64_t epoch, int64_t except_number);
  // `retriable`: the failure was the worker's (killed, interrupted), not the trial's.
  void finish(int64_t number, TrialState state, std::optional<double> value, const std::string& error = "",
              bool retriable = false);

  std::vector<Trial> trials();
  std::string fingerprint();
  bool any_running();
  const std::string& path() const { return path_; }

  // This process as a worker: "host:pid".
  static std::string worker_name();

 private:
  void execute(const std::string& sql);
  void reap_dead_workers(double stale_after_s);
  sqlite3* db_ = nullptr;
  std::string path_;
};

}  // namespace dltrain::search
