#include <catch2/catch.hpp>

#include "dltrain/core/error.h"
#include "dltrain/search/search_spec.h"

using namespace dltrain::search;

namespace {

const char* const kIssueSpec = R"(name: fmnist-lr
base: configs/quickstart.yaml
overrides: {train.epochs: 5}
objective: {metric: val/accuracy, direction: maximize}
sampler: tpe            # grid | random | tpe
pruner: asha            # none | median | asha
budget: {trials: 40}
space:
  optimizer.lr: {loguniform: [1.0e-4, 1.0e-1]}
  optimizer.type: {choice: [adam, sgd]}
  optimizer.momentum: {uniform: [0.8, 0.99], when: {optimizer.type: sgd}}
storage: studies/fmnist-lr.db
output: runs/fmnist-lr
)";

std::string error_of(const std::string& yaml) {
  try {
    load_search_spec_from_string(yaml, "spec.yaml");
  } catch (const dltrain::ConfigError& e) {
    return e.what();
  }
  return "";
}

}  // namespace

TEST_CASE("the issue's example spec parses", "[search]") {
  const auto spec = load_search_spec_from_string(kIssueSpec, "spec.yaml");
  CHECK(spec.name == "fmnist-lr");
  CHECK(spec.base_path == "configs/quickstart.yaml");
  CHECK(spec.overrides == std::vector<std::string>{"train.epochs=5"});
  CHECK(spec.metric == "val/accuracy");
  CHECK(spec.maximize);
  CHECK(spec.sampler.type == "tpe");
  CHECK(spec.pruner.type == "asha");
  CHECK(spec.trials == 40);
  REQUIRE(spec.space.params.size() == 3);
  CHECK(spec.space.params[0].key == "optimizer.lr");
  CHECK(spec.space.params[0].kind == ParamKind::loguniform);
  CHECK(spec.space.params[2].when.at(0).key == "optimizer.type");
  CHECK(spec.storage == "studies/fmnist-lr.db");
  CHECK(spec.output == "runs/fmnist-lr");
}

TEST_CASE("an inline base config and a grid budget from the grid's size", "[search]") {
  const auto spec = load_search_spec_from_string(
      "base: {model: {type: mlp}}\nobjective: {metric: val/loss, direction: minimize}\nsampler: grid\n"
      "space:\n  model.hidden: {choice: [[16], [32]]}\n  train.epochs: {int: [1, 3]}\n",
      "dir/grid.yaml");
  CHECK(spec.name == "grid");
  CHECK(spec.base_path.empty());
  CHECK_FALSE(spec.base_yaml.empty());
  CHECK_FALSE(spec.maximize);
  CHECK(spec.trials == 6);
  CHECK(spec.output == "runs/grid");
  CHECK(spec.storage == "runs/grid/study.db");
}

TEST_CASE("spec errors are one line naming the file, position and key", "[search]") {
  const std::string head = "base: b.yaml\nobjective: {metric: val/accuracy}\nbudget: {trials: 3}\n";
  CHECK(error_of(head + "sampler: tpee\nspace: {x: {uniform: [0, 1]}}\n") ==
        "spec.yaml:4:10: sampler: expected grid, random or tpe, got \"tpee\"; did you mean \"tpe\"?");
  CHECK(error_of(head + "space: {x: {uniform: [1, 0]}}\n") == "spec.yaml:4:22: space.x.uniform: expected low < high");
  CHECK(error_of(head + "space: {x: {loguniform: [0, 1]}}\n") ==
        "spec.yaml:4:26: space.x.loguniform[0]: expected a positive low end on a log scale");
  CHECK(error_of(head + "space: {x: {uniform: [0, 1], unifrom: [0, 1]}}\n").rfind("spec.yaml:4:", 0) == 0);
  CHECK(error_of(head + "space: {x: {uniform: [0, 1], when: {y: 1}}}\n") ==
        "spec.yaml:4:8: space.x.when: y is not a parameter of the space; conditions name other parameters");
  CHECK(error_of("objective: {metric: m}\nspace: {x: {uniform: [0, 1]}}\n") ==
        "spec.yaml:1:1: base: missing; expected a config file path or an inline config map");
  CHECK(error_of("base: b.yaml\nobjective: {metric: m, direction: up}\nspace: {x: {int: [0, 1]}}\n") ==
        "spec.yaml:2:35: objective.direction: expected maximize or minimize, got \"up\"");
  CHECK(error_of("base: b.yaml\nobjective: {metric: m}\nspace: {x: {int: [0, 1]}}\n") ==
        "spec.yaml:1:1: budget: expected trials and/or wall_time_s");
  CHECK(error_of(head + "sampler: grid\nspace: {x: {uniform: [0, 1]}}\n") ==
        "spec.yaml:5:12: space.x: the grid sampler needs finite values; give uniform a `grid: N` number of points");
  for (const auto& message : {error_of(head + "space: [1]\n"), error_of(head + "pruner: hyperband\nspace: {x: {int: [0, 1]}}\n")}) {
    CHECK_FALSE(message.empty());
    CHECK(message.find('\n') == std::string::npos);
  }
}
