// Parameter groups: no weight decay on 1-D tensors by default, pattern groups with their own lr
// and weight decay, and clear errors for patterns that select nothing.
#include <catch2/catch.hpp>
#include <torch/torch.h>

#include "dltrain/core/error.h"
#include "dltrain/optim/optimizer_factory.h"

using namespace dltrain;

namespace {

optim::NamedParameters small_net() {
  auto p = [](std::vector<int64_t> shape) { return torch::zeros(shape, torch::requires_grad()); };
  return {{"features.0.weight", p({8, 1, 3, 3})}, {"features.0.bias", p({8})},  {"features.1.weight", p({8})},
          {"features.1.bias", p({8})},            {"fc.weight", p({10, 8})},    {"fc.bias", p({10})}};
}

}  // namespace

TEST_CASE("globs match whole parameter names") {
  CHECK(optim::glob_match("fc.*", "fc.weight"));
  CHECK(optim::glob_match("*.bias", "features.0.bias"));
  CHECK(optim::glob_match("features.?.weight", "features.1.weight"));
  CHECK_FALSE(optim::glob_match("fc.*", "head.fc.weight"));
  CHECK_FALSE(optim::glob_match("fc", "fc.weight"));
}

TEST_CASE("biases and normalization parameters get no weight decay unless asked") {
  config::OptimizerConfig c;
  c.type = "sgd";
  c.weight_decay = 0.01;
  auto built = optim::build_optimizer(c, small_net());
  REQUIRE(built.groups.size() == 2);
  CHECK(built.groups[0].names == std::vector<std::string>{"features.0.weight", "fc.weight"});
  CHECK(built.groups[0].weight_decay == 0.01);
  CHECK(built.groups[1].names.size() == 4);
  CHECK(built.groups[1].weight_decay == 0.0);
  auto& options = static_cast<torch::optim::SGDOptions&>(built.optimizer->param_groups()[1].options());
  CHECK(options.weight_decay() == 0.0);

  c.decay_norm_and_bias = true;
  built = optim::build_optimizer(c, small_net());
  REQUIRE(built.groups.size() == 1);
  CHECK(built.groups[0].params.size() == 6);
}

TEST_CASE("pattern groups scale lr and weight decay, first match wins, default group first") {
  config::OptimizerConfig c;
  c.type = "adamw";
  c.lr = 0.001;
  c.weight_decay = 0.1;
  c.param_groups = {{"fc.*", 10.0, 0.0}, {"*.weight", 1.0, 2.0}};
  const auto built = optim::build_optimizer(c, small_net());
  REQUIRE(built.groups.size() == 5);
  CHECK(built.groups[0].names == std::vector<std::string>{"features.0.bias", "features.1.bias"});
  CHECK(built.groups[1].names == std::vector<std::string>{"fc.weight"});
  CHECK(built.groups[1].lr == Approx(0.01));
  CHECK(built.groups[1].weight_decay == 0.0);
  CHECK(built.groups[2].names == std::vector<std::string>{"fc.bias"});
  CHECK(built.groups[3].names == std::vector<std::string>{"features.0.weight"});
  CHECK(built.groups[3].weight_decay == Approx(0.2));
  CHECK(built.groups[4].names == std::vector<std::string>{"features.1.weight"});  // 1-D: a norm scale
  CHECK(built.groups[4].weight_decay == 0.0);
  CHECK(built.optimizer->param_groups()[1].options().get_lr() == Approx(0.01));
  CHECK(optim::pattern_group_indices(built.groups, 2) == std::vector<std::size_t>{1, 3});
}

TEST_CASE("a pattern that matches no parameter is a config error naming it") {
  config::OptimizerConfig c;
  c.param_groups = {{"head.*", 10.0, 1.0}};
  try {
    optim::build_optimizer(c, small_net());
    FAIL("expected a ConfigError");
  } catch (const ConfigError& e) {
    CHECK(std::string(e.what()).find("optimizer.param_groups[0].match: \"head.*\" matches no parameter") == 0);
  }
}

TEST_CASE("an unknown optimizer type lists the registered ones") {
  config::OptimizerConfig c;
  c.type = "lamb";
  try {
    optim::build_optimizer(c, small_net());
    FAIL("expected a ConfigError");
  } catch (const ConfigError& e) {
    CHECK(std::string(e.what()) ==
          "optimizer.type: unknown value \"lamb\"; expected one of sgd, adam, adamw, rmsprop, adagrad");
  }
}
