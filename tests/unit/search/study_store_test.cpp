#include <catch2/catch.hpp>

#include <fcntl.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <set>
#include <thread>

#include "dltrain/core/error.h"
#include "dltrain/search/leaderboard.h"
#include "dltrain/search/search_runner.h"
#include "dltrain/search/study_store.h"
#include "search_test_support.h"
#include "temp_dir.h"

using namespace dltrain::search;
using namespace search_test;

namespace {

SearchSpace small_space() {
  SearchSpace space;
  space.params = {uniform("x", 0, 1), choice("c", {"a", "b"})};
  return space;
}

// Appends "number pid" to `log` each time a trial starts running, with one write (O_APPEND).
void log_start(const std::string& log, int64_t number) {
  const std::string line = std::to_string(number) + " " + std::to_string(getpid()) + "\n";
  const int fd = ::open(log.c_str(), O_WRONLY | O_APPEND | O_CREAT, 0644);
  REQUIRE(::write(fd, line.data(), line.size()) == ssize_t(line.size()));
  ::close(fd);
}

std::vector<std::pair<int64_t, long>> read_log(const std::string& log) {
  std::vector<std::pair<int64_t, long>> starts;
  std::ifstream in(log);
  int64_t number;
  long pid;
  while (in >> number >> pid) starts.push_back({number, pid});
  return starts;
}

pid_t fork_worker(const std::function<void()>& body) {
  const pid_t pid = fork();
  if (pid == 0) {
    try {
      body();
    } catch (...) {
      _exit(1);
    }
    _exit(0);
  }
  return pid;
}

int wait_exit(pid_t pid) {
  int status = 0;
  waitpid(pid, &status, 0);
  return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

}  // namespace

TEST_CASE("two worker processes on one study meet the budget exactly and run no trial twice", "[search]") {
  TempDir tmp;
  const std::string db = tmp.file("study.db"), log = tmp.file("starts.txt");
  const auto plan = plan_for(small_space(), "tpe", 12, 5);
  const auto objective = [&](const Trial& t, const EpochReport& report) {
    log_start(log, t.number);
    std::this_thread::sleep_for(std::chrono::milliseconds(30));
    return curve_trial(t.params["x"].get<double>(), 2, report);
  };
  const pid_t a = fork_worker([&] { run_worker(db, "shared", plan, objective); });
  const pid_t b = fork_worker([&] { run_worker(db, "shared", plan, objective); });
  CHECK(wait_exit(a) == 0);
  CHECK(wait_exit(b) == 0);

  const auto starts = read_log(log);
  std::set<int64_t> numbers;
  std::set<long> workers;
  for (const auto& [number, pid] : starts) numbers.insert(number), workers.insert(pid);
  CHECK(starts.size() == 12);
  CHECK(numbers.size() == 12);
  CHECK(*numbers.rbegin() == 11);
  CHECK(workers.size() == 2);
  StudyStore store(db);
  const auto trials = store.trials();
  REQUIRE(trials.size() == 12);
  for (const auto& t : trials) {
    CHECK(t.state == TrialState::complete);
    CHECK(t.attempts == 1);
    CHECK(t.epochs == 2);
  }
}

TEST_CASE("a killed worker's trial is marked failed and retried when the study runs again", "[search]") {
  TempDir tmp;
  const std::string db = tmp.file("study.db"), log = tmp.file("starts.txt");
  const auto plan = plan_for(small_space(), "random", 5, 1);
  const std::string hang = tmp.file("hang");
  std::ofstream(hang).put('1');
  // Trial 2 hangs while the `hang` file exists: the worker is killed there.
  const auto objective = [&](const Trial& t, const EpochReport& report) {
    log_start(log, t.number);
    while (t.number == 2 && std::filesystem::exists(hang)) std::this_thread::sleep_for(std::chrono::milliseconds(10));
    return curve_trial(t.params["x"].get<double>(), 3, report);
  };
  const pid_t worker = fork_worker([&] { run_worker(db, "killed", plan, objective); });
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(20);
  while (read_log(log).size() < 3 && std::chrono::steady_clock::now() < deadline)
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  REQUIRE(read_log(log).size() == 3);
  kill(worker, SIGKILL);
  wait_exit(worker);
  std::filesystem::remove(hang);

  {
    StudyStore store(db, "killed");
    CHECK(store.trials().at(2).state == TrialState::running);
    // A claim with the budget taken only reaps: the dead worker's trial becomes failed.
    CHECK_FALSE(store.claim({3, 0, 120.0}, [](const auto&, int64_t) { return Assignment::object(); }));
    CHECK(store.trials().at(2).state == TrialState::failed);
    CHECK_THAT(store.trials().at(2).error, Catch::Contains("stopped without finishing it"));
  }
  run_worker(db, "killed", plan, objective);
  StudyStore store(db);
  const auto trials = store.trials();
  REQUIRE(trials.size() == 5);
  for (const auto& t : trials) CHECK(t.state == TrialState::complete);
  CHECK(trials[2].attempts == 2);
  CHECK(read_log(log).size() == 6);  // five trials, trial 2 twice
}

TEST_CASE("a study file holding another study is refused", "[search]") {
  TempDir tmp;
  { StudyStore first(tmp.file("s.db"), "one"); }
  CHECK_THROWS_AS(StudyStore(tmp.file("s.db"), "two"), dltrain::ConfigError);
  CHECK_THROWS_AS(StudyStore(tmp.file("missing.db")), dltrain::DataError);
}

TEST_CASE("the leaderboard ranks complete trials by objective, then pruned ones by epochs reached", "[search]") {
  std::vector<Trial> trials(4);
  trials[0] = {0, TrialState::complete, {{"x", 1}}, true, 0.5, 3, 1, "", "", ""};
  trials[1] = {1, TrialState::pruned, {{"x", 2}}, true, 0.9, 1, 1, "", "", ""};
  trials[2] = {2, TrialState::complete, {{"x", 3}}, true, 0.7, 3, 1, "", "", ""};
  trials[3] = {3, TrialState::failed, {{"x", 4}}, false, 0.0, 0, 1, "", "", "boom"};
  const auto ranked = ranked_trials(trials, /*maximize=*/true);
  CHECK(ranked[0].number == 2);
  CHECK(ranked[1].number == 0);
  CHECK(ranked[2].number == 1);
  CHECK(ranked[3].number == 3);
  CHECK(best_trial(trials, true)->number == 2);
  CHECK(best_trial(trials, false)->number == 0);
  const StudyInfo info{"demo", "val/accuracy", true};
  const auto table = format_leaderboard(info, ranked);
  CHECK_THAT(table, Catch::Contains("study demo: maximize val/accuracy over 4 trials"));
  CHECK_THAT(table, Catch::Contains("(boom)"));
  const auto json = leaderboard_json(info, ranked);
  CHECK(json["trials"][0]["number"] == 2);
  CHECK(json["trials"][3]["value"].is_null());
}
