// The worker loop; see search_runner.h.
#include "dltrain/search/search_runner.h"

#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include <atomic>
#include <chrono>
#include <cmath>
#include <condition_variable>
#include <limits>
#include <mutex>
#include <thread>

#include "dltrain/core/error.h"

namespace dltrain::search {

std::string trial_name(int64_t number) { return fmt::format("trial-{:04d}", number); }

namespace {

// Keeps the running trial's heartbeat fresh from its own connection, so a long epoch does not
// look like a dead worker to the others.
class HeartbeatThread {
 public:
  HeartbeatThread(const std::string& storage, int64_t number, double interval_s)
      : thread_([this, storage, number, interval_s] {
          StudyStore store(storage);
          std::unique_lock<std::mutex> lock(mutex_);
          while (!done_) {
            cv_.wait_for(lock, std::chrono::duration<double>(interval_s));
            if (done_) break;
            try {
              store.heartbeat(number);
            } catch (const Error& e) {
              spdlog::warn("heartbeat of trial {}: {}", number, e.what());
            }
          }
        }) {}
  ~HeartbeatThread() {
    {
      std::lock_guard<std::mutex> lock(mutex_);
      done_ = true;
    }
    cv_.notify_all();
    thread_.join();
  }

 private:
  std::mutex mutex_;
  std::condition_variable cv_;
  bool done_ = false;
  std::thread thread_;
};

}  // namespace

WorkerSummary run_worker(const std::string& storage, const std::string& fingerprint, const WorkerPlan& plan,
                         const TrialObjective& objective, const ConstraintCheck& constraints) {
  StudyStore store(storage, fingerprint);
  auto sampler = make_sampler(plan.sampler, plan.seed, plan.maximize);
  const auto start = std::chrono::steady_clock::now();
  const auto elapsed = [&] { return std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count(); };
  WorkerSummary summary;

  // New trials redraw until the constraints hold (grid points cannot be redrawn). Each rejected
  // candidate joins the history the sampler sees as a pruned trial that reached no epoch, so TPE
  // ranks it below every real trial and stops proposing its region.
  std::string last_verdict;
  const Proposal propose = [&](const std::vector<Trial>& history, int64_t number) {
    std::vector<Trial> seen = history;
    Assignment params;
    for (int64_t attempt = 0; attempt < plan.max_redraws; ++attempt) {
      Assignment next = sampler->sample(plan.space, seen, number, attempt);
      if (attempt > 0 && next == params) break;
      params = std::move(next);
      last_verdict = constraints ? constraints(params) : "";
      if (last_verdict.empty()) break;
      Trial rejected;
      rejected.number = -1 - attempt;
      rejected.state = TrialState::pruned;
      rejected.params = params;
      rejected.has_value = true;
      seen.push_back(rejected);
    }
    return params;
  };

  while (true) {
    const bool out_of_time = plan.wall_time_s > 0 && elapsed() >= plan.wall_time_s;
    std::optional<Trial> trial;
    if (!out_of_time) {
      last_verdict.clear();
      trial = store.claim(plan.rules, propose);
    }
    if (!trial) {
      // Others may still die and leave trials to retry; wait for them unless time is up.
      if (out_of_time || !store.any_running()) break;
      std::this_thread::sleep_for(std::chrono::duration<double>(plan.poll_s));
      continue;
    }
    if (!plan.output.empty()) {
      trial->run_dir = plan.output + "/" + trial_name(trial->number);
      store.set_run_dir(trial->number, trial->run_dir);
    }
    const bool retried = trial->attempts > 1;
    const std::string verdict = retried && constraints ? constraints(trial->params) : last_verdict;
    spdlog::info("trial {} ({}{}): {}", trial->number, StudyStore::worker_name(),
                 retried ? ", attempt " + std::to_string(trial->attempts) : "", trial->params.dump());
    ++summary.trials;
    if (!verdict.empty()) {
      spdlog::warn("trial {} not trained: {}", trial->number, verdict);
      store.finish(trial->number, TrialState::failed, std::nullopt, "constraint: " + verdict);
      continue;
    }

    double last_value = std::numeric_limits<double>::quiet_NaN();
    int64_t epochs = 0;
    const EpochReport report = [&](int64_t epoch, double value) {
      store.report(trial->number, epoch, value);
      last_value = value;
      epochs = epoch;
      if (plan.pruner.type == "none") return false;
      const bool prune = should_prune(plan.pruner, plan.maximize, epoch, value, store.values_at(epoch, trial->number));
      if (prune) spdlog::info("trial {} pruned after epoch {} ({:.6g})", trial->number, epoch, value);
      return prune;
    };
    try {
      HeartbeatThread heartbeat(storage, trial->number, std::max(0.2, plan.rules.stale_after_s / 4));
      const TrialOutcome outcome = objective(*trial, report);
      summary.epochs += outcome.epochs;
      const double value = outcome.pruned && !std::isfinite(outcome.value) ? last_value : outcome.value;
      store.finish(trial->number, outcome.pruned ? TrialState::pruned : TrialState::complete,
                   std::isfinite(value) ? std::optional<double>(value) : std::nullopt,
                   std::isfinite(value) ? "" : "the objective is not a finite number");
    } catch (const SpecError& e) {
      store.finish(trial->number, TrialState::failed, std::nullopt, e.what());
      throw;
    } catch (const Error& e) {
      // Interrupted (matched by code: errors are rethrown with config positions on the way):
      // the worker, not the trial, stopped, so a later run retries it.
      if (e.code() == ExitCode::interrupted_int || e.code() == ExitCode::interrupted_term) {
        store.finish(trial->number, TrialState::failed, std::nullopt, e.what(), /*retriable=*/true);
        throw;
      }
      summary.epochs += epochs;
      spdlog::warn("trial {} failed: {}", trial->number, e.what());
      store.finish(trial->number, TrialState::failed, std::nullopt, e.what());
    } catch (const std::exception& e) {
      // A LibTorch error inside one candidate (an architecture that cannot run) fails that trial only.
      summary.epochs += epochs;
      const std::string message = std::string(e.what()).substr(0, std::string(e.what()).find('\n'));
      spdlog::warn("trial {} failed: {}", trial->number, message);
      store.finish(trial->number, TrialState::failed, std::nullopt, one_line(message));
    }
  }
  return summary;
}

}  // namespace dltrain::search
