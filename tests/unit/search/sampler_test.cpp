#include <catch2/catch.hpp>

#include <cmath>

#include "dltrain/search/sampler.h"
#include "dltrain/search/tpe_sampler.h"
#include "search_test_support.h"

using namespace dltrain::search;
using namespace search_test;

namespace {

SearchSpace mixed_space() {
  SearchSpace space;
  Param lr;
  lr.key = "lr";
  lr.kind = ParamKind::loguniform;
  lr.low = 1e-5, lr.high = 1.0;
  Param width;
  width.key = "width";
  width.kind = ParamKind::integer_log;
  width.low = 4, width.high = 512;
  space.params = {lr, uniform("x", -5, 5), width, choice("act", {"relu", "tanh", "gelu"})};
  return space;
}

// Minimum at lr = 1e-2, x = 1.5, width = 64, act = gelu; a smooth bowl in the log scales.
double bowl(const Assignment& a) {
  const double lr = std::log10(a["lr"].get<double>()) + 2.0;
  const double x = a["x"].get<double>() - 1.5;
  const double w = std::log2(a["width"].get<double>()) - 6.0;
  const double act = a["act"] == "gelu" ? 0.0 : a["act"] == "relu" ? 0.5 : 1.0;
  return lr * lr + 0.3 * x * x + 0.2 * w * w + act;
}

// `trials` sequential trials of a sampler on the bowl, each completed before the next is drawn.
std::vector<Trial> run_trials(const std::string& type, uint64_t seed, int64_t trials) {
  SamplerSpec spec;
  spec.type = type;
  auto sampler = make_sampler(spec, seed, /*maximize=*/false);
  const auto space = mixed_space();
  std::vector<Trial> history;
  for (int64_t n = 0; n < trials; ++n) {
    Trial t;
    t.number = n;
    t.params = sampler->sample(space, history, n, 0);
    t.state = TrialState::complete;
    t.has_value = true;
    t.value = bowl(t.params);
    history.push_back(t);
  }
  return history;
}

// Best (lowest) objective over `trials` sequential trials of a sampler.
double best_of(const std::string& type, uint64_t seed, int64_t trials) {
  double best = INFINITY;
  for (const auto& trial : run_trials(type, seed, trials)) best = std::min(best, trial.value);
  return best;
}

std::vector<Assignment> proposals(const std::string& type, uint64_t seed) {
  std::vector<Assignment> out;
  for (const auto& trial : run_trials(type, seed, 25)) out.push_back(trial.params);
  return out;
}

}  // namespace

TEST_CASE("random and TPE samplers are reproducible from the seed", "[search]") {
  for (const auto* type : {"random", "tpe"}) {
    CHECK(proposals(type, 3) == proposals(type, 3));
    CHECK(proposals(type, 3) != proposals(type, 4));
  }
}

TEST_CASE("sampled values stay inside their ranges and integer kinds are integers", "[search]") {
  for (const auto& a : proposals("tpe", 1)) {
    CHECK(a["lr"].get<double>() >= 1e-5);
    CHECK(a["lr"].get<double>() <= 1.0);
    CHECK(a["width"].is_number_integer());
    CHECK(a["width"].get<int64_t>() >= 4);
    CHECK(a["width"].get<int64_t>() <= 512);
  }
}

TEST_CASE("TPE reaches a better best objective than random search on average", "[search]") {
  double tpe = 0, random = 0;
  for (uint64_t seed = 0; seed < 5; ++seed) {
    tpe += best_of("tpe", seed, 50);
    random += best_of("random", seed, 50);
  }
  INFO("mean best: tpe " << tpe / 5 << ", random " << random / 5);
  CHECK(tpe < random);
}

TEST_CASE("Parzen bandwidths follow Optuna: neighbour gaps, magic clip, a prior as wide as the range", "[search]") {
  const Param x = uniform("x", 0, 10);
  const auto pe = fit_parzen(x, {1.0, 2.0, 6.0}, 1.0);
  REQUIRE(pe.mus.size() == 4);  // three observations and the prior at the centre
  CHECK(pe.mus[3] == 5.0);
  CHECK(pe.sigmas[3] == 10.0);
  // Sorted with the ends: 0 | 1 2 5 6 | 10. The outermost kernels take the gap to their inner
  // neighbour (1 and 1), the others the larger gap (3, 3); all are clipped to at least 10 / (1 + 4).
  CHECK(pe.sigmas[0] == 2.0);
  CHECK(pe.sigmas[1] == 3.0);
  CHECK(pe.sigmas[2] == 2.0);
  double total = 0;
  for (const double w : pe.weights) total += w;
  CHECK(total == Approx(1.0));
}
