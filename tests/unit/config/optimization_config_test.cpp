// The optimization keys: lists of sections (optimizer.param_groups) read, dump and locate errors.
#include <catch2/catch.hpp>

#include "config_test_support.h"
#include "dltrain/config/config_compare.h"
#include "dltrain/config/load_config.h"
#include "dltrain/config/resolved_yaml.h"

using namespace dltrain::config;
using dltrain::config::test::config_error;

TEST_CASE("optimizer.param_groups reads a list of sections and dumps it back equal") {
  const auto c = load_config_from_string(
      "model: {type: mlp}\n"
      "optimizer:\n"
      "  type: adamw\n"
      "  param_groups:\n"
      "    - {match: \"fc.*\", lr_scale: 10, weight_decay_scale: 0}\n"
      "    - match: \"*.bias\"\n",
      "g.yaml");
  REQUIRE(c.optimizer.param_groups.size() == 2);
  CHECK(c.optimizer.param_groups[0].match == "fc.*");
  CHECK(c.optimizer.param_groups[0].lr_scale == 10);
  CHECK(c.optimizer.param_groups[0].weight_decay_scale == 0);
  CHECK(c.optimizer.param_groups[1].lr_scale == 1);
  const auto back = load_config_from_string(to_yaml(c), "dump.yaml");
  CHECK(back == c);
  auto shorter = c;
  shorter.optimizer.param_groups.pop_back();
  CHECK(differing_keys(c, shorter) == std::vector<std::string>{"optimizer.param_groups"});
}

TEST_CASE("a param group without match is located at its list element") {
  const auto message = config_error([] {
    load_config_from_string("model: {type: mlp}\noptimizer:\n  param_groups:\n    - {lr_scale: 2}\n", "g.yaml");
  });
  CHECK(message.find("g.yaml:4:") == 0);
  CHECK(message.find("optimizer.param_groups[0].match: missing required key") != std::string::npos);
}

TEST_CASE("overrides reach keys inside param groups") {
  const auto c = load_config_from_string("model: {type: mlp}\noptimizer: {param_groups: [{match: a}]}\n", "g.yaml",
                                         {"optimizer.param_groups[0].lr_scale=3"});
  CHECK(c.optimizer.param_groups.at(0).lr_scale == 3);
}

TEST_CASE("conflicting optimization keys are config errors naming the key") {
  CHECK(config_error([] {
          load_config_from_string("model: {type: mlp}\ntrain: {grad_clip: {norm: 1, value: 1}}\n", "c.yaml");
        }).find("train.grad_clip.value: give train.grad_clip.norm or train.grad_clip.value") != std::string::npos);
  CHECK(config_error([] {
          load_config_from_string("model: {type: mlp}\nscheduler: {warmup_epochs: 1, warmup_steps: 5}\n", "c.yaml");
        }).find("scheduler.warmup_steps:") != std::string::npos);
  CHECK(config_error([] {
          load_config_from_string("model: {type: mlp}\nscheduler: {type: cosine_anealing}\n", "c.yaml");
        }).find("scheduler.type: expected one of constant,") != std::string::npos);
  CHECK(config_error([] {
          load_config_from_string("model: {type: mlp}\ntrain: {nonfinite: ignore}\n", "c.yaml");
        }).find("train.nonfinite: expected one of stop, skip") != std::string::npos);
}
