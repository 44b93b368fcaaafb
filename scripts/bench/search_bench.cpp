// dltrain's TPE on synthetic objectives, through the same worker loop and SQLite study as
// `dltrain search` (trials evaluate a function instead of training). search_vs_optuna.py runs
// Optuna on the identical functions and spaces. Prints one JSON line per seed:
//   bench_search --function mixed|hartmann6 --trials 40 --seeds 0,1,2,3,4
//                [--n-startup 10] [--n-candidates 24] [--multivariate true|false]
#include <spdlog/spdlog.h>

#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <string>
#include <vector>

#include "dltrain/io/remove_tree.h"
#include "dltrain/search/search_runner.h"
#include "dltrain/search/study_store.h"

using namespace dltrain::search;

namespace {

Param numeric(const std::string& key, ParamKind kind, double low, double high) {
  Param p;
  p.key = key;
  p.kind = kind;
  p.low = low, p.high = high;
  return p;
}

Param choice(const std::string& key, std::vector<nlohmann::json> choices) {
  Param p;
  p.key = key;
  p.kind = ParamKind::choice;
  p.choices = std::move(choices);
  return p;
}

// A training-like loss surface: a log-scale learning rate, a log-scale integer width, a
// continuous knob, an activation, and an optimizer whose momentum exists only for sgd.
SearchSpace mixed_space() {
  SearchSpace space;
  auto momentum = numeric("momentum", ParamKind::uniform, 0.0, 0.99);
  momentum.when = {{"optimizer", {"sgd"}}};
  space.params = {numeric("lr", ParamKind::loguniform, 1e-5, 1.0), numeric("width", ParamKind::integer_log, 4, 512),
                  numeric("dropout", ParamKind::uniform, 0.0, 0.8), choice("activation", {"relu", "tanh", "gelu"}),
                  choice("optimizer", {"adam", "sgd"}), momentum};
  return space;
}

double mixed(const Assignment& a) {
  const double lr = std::log10(a["lr"].get<double>()) + 2.5;
  const double width = std::log2(a["width"].get<double>()) - 7.0;
  const double dropout = a["dropout"].get<double>() - 0.3;
  const std::string act = a["activation"];
  double loss = 0.5 * lr * lr + 0.1 * width * width + 2.0 * dropout * dropout;
  loss += act == "gelu" ? 0.0 : act == "relu" ? 0.05 : 0.3;
  if (a["optimizer"] == "adam") {
    loss += 0.1;
  } else {
    const double m = a["momentum"].get<double>() - 0.9;
    loss += 8.0 * m * m;
  }
  return loss;
}

// Hartmann-6, the classic 6-D benchmark on [0, 1]^6 (minimum -3.32237).
SearchSpace hartmann_space() {
  SearchSpace space;
  for (int i = 0; i < 6; ++i) space.params.push_back(numeric("x" + std::to_string(i), ParamKind::uniform, 0.0, 1.0));
  return space;
}

double hartmann6(const Assignment& a) {
  static const double alpha[4] = {1.0, 1.2, 3.0, 3.2};
  static const double A[4][6] = {{10, 3, 17, 3.5, 1.7, 8}, {0.05, 10, 17, 0.1, 8, 14}, {3, 3.5, 1.7, 10, 17, 8},
                                 {17, 8, 0.05, 10, 0.1, 14}};
  static const double P[4][6] = {{0.1312, 0.1696, 0.5569, 0.0124, 0.8283, 0.5886},
                                 {0.2329, 0.4135, 0.8307, 0.3736, 0.1004, 0.9991},
                                 {0.2348, 0.1451, 0.3522, 0.2883, 0.3047, 0.6650},
                                 {0.4047, 0.8828, 0.8732, 0.5743, 0.1091, 0.0381}};
  double sum = 0;
  for (int i = 0; i < 4; ++i) {
    double inner = 0;
    for (int j = 0; j < 6; ++j) {
      const double d = a["x" + std::to_string(j)].get<double>() - P[i][j];
      inner += A[i][j] * d * d;
    }
    sum += alpha[i] * std::exp(-inner);
  }
  return -sum;
}

}  // namespace

int main(int argc, char** argv) {
  std::string function = "mixed", seeds = "0,1,2,3,4";
  int64_t trials = 40;
  SamplerSpec sampler;  // TPE with dltrain's defaults unless a flag changes them (ablations)
  for (int i = 1; i + 1 < argc; i += 2) {
    const std::string flag = argv[i];
    if (flag == "--function") function = argv[i + 1];
    if (flag == "--trials") trials = std::atoll(argv[i + 1]);
    if (flag == "--seeds") seeds = argv[i + 1];
    if (flag == "--n-startup") sampler.n_startup = std::atoll(argv[i + 1]);
    if (flag == "--n-candidates") sampler.n_candidates = std::atoll(argv[i + 1]);
    if (flag == "--multivariate") sampler.multivariate = std::string(argv[i + 1]) == "true";
  }
  spdlog::set_level(spdlog::level::warn);
  const bool is_mixed = function == "mixed";
  const SearchSpace space = is_mixed ? mixed_space() : hartmann_space();
  const auto objective = [&](const Trial& t, const EpochReport&) {
    TrialOutcome outcome;
    outcome.value = is_mixed ? mixed(t.params) : hartmann6(t.params);
    return outcome;
  };
  const auto dir = std::filesystem::temp_directory_path() / ("bench_search_" + std::to_string(getpid()));
  std::filesystem::create_directories(dir);
  std::size_t start = 0;
  while (start <= seeds.size()) {
    const std::size_t comma = std::min(seeds.find(',', start), seeds.size());
    const uint64_t seed = std::stoull(seeds.substr(start, comma - start));
    start = comma + 1;
    WorkerPlan plan;
    plan.space = space;
    plan.sampler = sampler;
    plan.rules.budget = trials;
    plan.maximize = false;
    plan.seed = seed;
    const std::string db = (dir / ("seed" + std::to_string(seed) + ".db")).string();
    std::filesystem::remove(db);
    run_worker(db, function, plan, objective);
    StudyStore store(db);
    Trial best;
    best.value = INFINITY;
    for (const auto& t : store.trials()) {
      if (t.value < best.value) best = t;
    }
    std::printf("{\"function\": \"%s\", \"seed\": %llu, \"trials\": %lld, \"params\": %s, \"best\": %.6f}\n",
                function.c_str(), static_cast<unsigned long long>(seed), static_cast<long long>(trials),
                best.params.dump().c_str(), best.value);
  }
  dltrain::io::remove_tree(dir.string());
  return 0;
}
