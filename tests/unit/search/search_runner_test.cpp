#include <catch2/catch.hpp>

#include <stdexcept>

#include "dltrain/core/error.h"
#include "dltrain/search/search_runner.h"
#include "search_test_support.h"
#include "temp_dir.h"

using namespace dltrain::search;
using namespace search_test;

TEST_CASE("a trial whose objective throws is failed with its one-line error and the study goes on", "[search]") {
  TempDir tmp;
  SearchSpace space;
  space.params = {uniform("x", 0, 1)};
  const auto objective = [](const Trial& t, const EpochReport& report) -> TrialOutcome {
    if (t.number == 1) throw dltrain::DivergedError("loss is nan at step 3");
    if (t.number == 2) throw std::runtime_error("shape mismatch\nbacktrace lines");
    return curve_trial(0.5, 2, report);
  };
  run_worker(tmp.file("s.db"), "throws", plan_for(space, "random", 4), objective);
  StudyStore store(tmp.file("s.db"));
  const auto trials = store.trials();
  REQUIRE(trials.size() == 4);
  CHECK(trials[0].state == TrialState::complete);
  CHECK(trials[1].state == TrialState::failed);
  CHECK(trials[1].error == "loss is nan at step 3");
  CHECK(trials[2].state == TrialState::failed);
  CHECK(trials[2].error == "shape mismatch");
  CHECK(trials[3].state == TrialState::complete);
}

TEST_CASE("a candidate over a constraint is redrawn before its trial is created, a grid point is failed", "[search]") {
  TempDir tmp;
  SearchSpace space;
  space.params = {uniform("x", 0, 1)};
  const ConstraintCheck small_x = [](const Assignment& a) {
    return a["x"].get<double>() > 0.3 ? "x over 0.3" : std::string();
  };
  const auto objective = [](const Trial& t, const EpochReport& report) {
    return curve_trial(t.params["x"].get<double>(), 1, report);
  };
  run_worker(tmp.file("r.db"), "redraw", plan_for(space, "tpe", 15), objective, small_x);
  StudyStore redrawn(tmp.file("r.db"));
  for (const auto& t : redrawn.trials()) {
    CHECK(t.state == TrialState::complete);
    CHECK(t.params["x"].get<double>() <= 0.3);
  }

  space.params[0].grid_points = 3;  // 0, 0.5, 1
  run_worker(tmp.file("g.db"), "grid", plan_for(space, "grid", 3), objective, small_x);
  StudyStore grid(tmp.file("g.db"));
  const auto trials = grid.trials();
  REQUIRE(trials.size() == 3);
  CHECK(trials[0].state == TrialState::complete);
  CHECK(trials[1].state == TrialState::failed);
  CHECK(trials[1].error == "constraint: x over 0.3");
  CHECK(trials[2].state == TrialState::failed);
}
