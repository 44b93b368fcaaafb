#include <catch2/catch.hpp>

#include "dltrain/search/pruner.h"
#include "dltrain/search/search_runner.h"
#include "search_test_support.h"
#include "temp_dir.h"

using namespace dltrain::search;
using namespace search_test;

TEST_CASE("ASHA rungs are at min_epochs times powers of eta", "[search]") {
  PrunerSpec spec;
  spec.type = "asha";
  spec.min_epochs = 1;
  spec.eta = 3;
  std::vector<int64_t> rungs;
  for (int64_t e = 1; e <= 30; ++e) {
    if (is_rung(spec, e)) rungs.push_back(e);
  }
  CHECK(rungs == std::vector<int64_t>{1, 3, 9, 27});
  spec.min_epochs = 2;
  CHECK(is_rung(spec, 6));
  CHECK_FALSE(is_rung(spec, 3));
}

TEST_CASE("ASHA promotes the best 1/eta at a rung and a trial alone at a rung", "[search]") {
  PrunerSpec spec;
  spec.type = "asha";
  CHECK_FALSE(should_prune(spec, true, 1, 0.5, {}));
  CHECK_FALSE(should_prune(spec, true, 1, 0.9, {0.1, 0.2, 0.3, 0.4, 0.5}));
  CHECK(should_prune(spec, true, 1, 0.45, {0.9, 0.8, 0.3, 0.4, 0.5}));  // 6 values: the best 2 go on
  CHECK_FALSE(should_prune(spec, true, 2, 0.0, {0.9, 0.8}));             // not a rung
  CHECK(should_prune(spec, false, 1, 0.8, {0.1, 0.2}));                  // minimize
}

TEST_CASE("median pruning stops trials worse than the median after the warmup", "[search]") {
  PrunerSpec spec;
  spec.type = "median";
  spec.warmup_epochs = 1;
  spec.min_trials = 3;
  CHECK_FALSE(should_prune(spec, true, 1, 0.1, {0.5, 0.6, 0.7}));  // warmup
  CHECK_FALSE(should_prune(spec, true, 2, 0.1, {0.5, 0.6}));       // too few others
  CHECK(should_prune(spec, true, 2, 0.55, {0.5, 0.6, 0.7}));
  CHECK_FALSE(should_prune(spec, true, 2, 0.65, {0.5, 0.6, 0.7}));
}

namespace {

// Half the configurations are clearly bad (a tenth of the good ones' accuracy), 27 epochs each.
struct PrunedStudy {
  int64_t epochs = 0;
  double best = 0;
  int64_t pruned = 0;
};

PrunedStudy run_half_bad_study(const std::string& pruner) {
  TempDir tmp;
  SearchSpace space;
  space.params = {choice("quality", {"good", "bad"}), uniform("x", 0, 1)};
  auto plan = plan_for(space, "random", 40, 11);
  plan.pruner.type = pruner;
  const auto objective = [](const Trial& t, const EpochReport& report) {
    const double x = t.params["x"].get<double>();
    const double final_value = (t.params["quality"] == "good" ? 0.9 : 0.09) * (1.0 - 0.2 * (x - 0.5) * (x - 0.5));
    return curve_trial(final_value, 27, report);
  };
  const auto summary = run_worker(tmp.file("study.db"), "half-bad-" + pruner, plan, objective);
  StudyStore store(tmp.file("study.db"));
  PrunedStudy out;
  out.epochs = summary.epochs;
  for (const auto& t : store.trials()) {
    if (t.state == TrialState::complete) out.best = std::max(out.best, t.value);
    out.pruned += t.state == TrialState::pruned;
  }
  return out;
}

}  // namespace

TEST_CASE("ASHA cuts total epochs by at least 40 percent at the same best objective when half the configs are bad",
          "[search]") {
  const auto full = run_half_bad_study("none");
  const auto asha = run_half_bad_study("asha");
  const double reduction = 1.0 - double(asha.epochs) / double(full.epochs);
  INFO("epochs without pruning " << full.epochs << ", with ASHA " << asha.epochs << " (" << asha.pruned
                                 << " pruned); reduction " << reduction);
  CHECK(full.epochs == 40 * 27);
  CHECK(asha.best == full.best);
  CHECK(reduction >= 0.4);
}
