#include <catch2/catch.hpp>

#include <set>

#include "dltrain/core/error.h"
#include "dltrain/search/sampler.h"
#include "dltrain/search/search_space.h"
#include "search_test_support.h"

using namespace dltrain::search;
using namespace search_test;

TEST_CASE("grid covers exactly the cartesian product of choices and integer ranges", "[search]") {
  SearchSpace space;
  space.params = {choice("optimizer.type", {"adam", "sgd", "rmsprop"}), integer("train.epochs", 1, 4),
                  choice("model.hidden", {nlohmann::json::array({16}), nlohmann::json::array({32, 32})})};
  const auto grid = grid_assignments(space);
  REQUIRE(grid.size() == 3 * 4 * 2);
  std::set<std::string> distinct;
  for (const auto& a : grid) distinct.insert(a.dump());
  CHECK(distinct.size() == grid.size());
  for (const auto* type : {"adam", "sgd", "rmsprop"}) {
    for (int64_t epochs = 1; epochs <= 4; ++epochs) {
      for (const auto& hidden : {nlohmann::json::array({16}), nlohmann::json::array({32, 32})}) {
        const Assignment a = {{"optimizer.type", type}, {"train.epochs", epochs}, {"model.hidden", hidden}};
        CHECK(distinct.count(a.dump()) == 1);
      }
    }
  }
}

TEST_CASE("grid multiplies a conditional parameter only on its branch", "[search]") {
  SearchSpace space;
  auto momentum = choice("optimizer.momentum", {0.8, 0.9});
  momentum.when = {{"optimizer.type", {"sgd"}}};
  space.params = {momentum, choice("optimizer.type", {"adam", "sgd"})};
  order_by_conditions(space, "");
  const auto grid = grid_assignments(space);
  REQUIRE(grid.size() == 3);  // adam; sgd x 2 momenta
  for (const auto& a : grid) CHECK(a.contains("optimizer.momentum") == (a["optimizer.type"] == "sgd"));
}

TEST_CASE("grid points of a continuous range are evenly spaced, geometrically for loguniform", "[search]") {
  Param lr;
  lr.key = "optimizer.lr";
  lr.kind = ParamKind::loguniform;
  lr.low = 1e-4, lr.high = 1e-1;
  lr.grid_points = 4;
  const auto values = grid_values(lr);
  REQUIRE(values.size() == 4);
  CHECK(values[1].get<double>() == Approx(1e-3));
  CHECK(values[3].get<double>() == Approx(1e-1));
  lr.grid_points = 0;
  CHECK_THROWS_AS(grid_values(lr), dltrain::ConfigError);
}

TEST_CASE("conditional parameters appear only when their condition holds under random and TPE", "[search]") {
  SearchSpace space;
  auto momentum = uniform("optimizer.momentum", 0.8, 0.99);
  momentum.when = {{"optimizer.type", {"sgd"}}};
  space.params = {choice("optimizer.type", {"adam", "sgd"}), momentum, uniform("x", 0, 1)};
  for (const auto* type : {"random", "tpe"}) {
    SamplerSpec spec;
    spec.type = type;
    spec.n_startup = 3;
    auto sampler = make_sampler(spec, 7, true);
    std::vector<Trial> history;
    int with = 0, without = 0;
    for (int64_t n = 0; n < 30; ++n) {
      Trial t;
      t.number = n;
      t.params = sampler->sample(space, history, n, 0);
      CHECK(t.params.contains("optimizer.momentum") == (t.params["optimizer.type"] == "sgd"));
      (t.params.contains("optimizer.momentum") ? with : without)++;
      t.state = TrialState::complete;
      t.has_value = true;
      t.value = t.params["x"].get<double>();
      history.push_back(t);
    }
    CHECK(with > 0);
    CHECK(without > 0);
  }
}

TEST_CASE("conditions on unknown parameters and cycles are config errors", "[search]") {
  SearchSpace space;
  auto a = uniform("a", 0, 1), b = uniform("b", 0, 1);
  a.when = {{"b", {1}}};
  b.when = {{"a", {1}}};
  space.params = {a, b};
  CHECK_THROWS_WITH(order_by_conditions(space, "s.yaml: "), Catch::Contains("cycle"));
  space.params = {a};
  CHECK_THROWS_WITH(order_by_conditions(space, "s.yaml: "), Catch::Contains("space.a.when: b is not a parameter"));
}
