// model.layers: a list of layer maps read as {type, options as text, nested layers}, with every
// item's and option's position recorded so the models module's errors are located.
#include "dltrain/config/load_config.h"
#include "dltrain/config/located_error.h"

#include "config_test_support.h"

#include <catch2/catch.hpp>

using namespace dltrain::config;
using dltrain::config::test::config_error;

TEST_CASE("a layer list is read in order with options as text and nested residual layers") {
  const auto c = load_config_from_string(
      "model:\n"
      "  type: sequential\n"
      "  layers:\n"
      "    - {type: conv2d, out: 8, padding: same}\n"
      "    - type: residual\n"
      "      layers: [{type: relu}, {type: dropout, p: 0.1}]\n",
      "l.yaml");
  REQUIRE(c.model.layers.size() == 2);
  CHECK(c.model.layers[0].type == "conv2d");
  CHECK(c.model.layers[0].options ==
        std::vector<std::pair<std::string, std::string>>{{"out", "8"}, {"padding", "same"}});
  REQUIRE(c.model.layers[1].layers.size() == 2);
  CHECK(c.model.layers[1].layers[1].options[0].second == "0.1");
  CHECK(c.origins.at("model.layers[0].out") == "l.yaml:4:27");
  CHECK(c.origins.at("model.layers[1].layers[1]") == "l.yaml:6:30");
  // Errors the models module reports by key are located at the option.
  CHECK(locate_message(c, "model.layers[0].out: expected a positive integer") ==
        "l.yaml:4:27: model.layers[0].out: expected a positive integer");
}

TEST_CASE("a malformed layer list is a config error at the offending item") {
  CHECK(config_error([] { load_config_from_string("model: {type: sequential, layers: relu}\n", "l.yaml"); }) ==
        "l.yaml:1:35: model.layers: expected a list of layers such as [{type: linear, out: 64}], got \"relu\"");
  CHECK(config_error([] { load_config_from_string("model:\n  type: sequential\n  layers: [relu]\n", "l.yaml"); }) ==
        "l.yaml:3:12: model.layers[0]: expected a layer such as {type: linear, out: 64}, got \"relu\"");
  CHECK(config_error([] { load_config_from_string("model:\n  type: sequential\n  layers: [{out: 3}]\n", "l.yaml"); }) ==
        "l.yaml:3:12: model.layers[0]: missing the layer's type, e.g. {type: linear, out: 64}");
  CHECK(config_error([] {
          load_config_from_string("model:\n  type: sequential\n  layers: [{type: linear, out: [3]}]\n", "l.yaml");
        }) == "l.yaml:3:32: model.layers[0].out: expected a single value, got a list");
}

TEST_CASE("data.augment is a list of ops named by `op`, kept as text, located per option") {
  const auto c = load_config_from_string(
      "model: {type: mlp}\ndata:\n  augment:\n    - {op: random_crop, size: 28, padding: 2}\n    - {op: hflip, p: 0.5}\n",
      "a.yaml", {"data.augment[1].p=0.25"});
  REQUIRE(c.data.augment.size() == 2);
  CHECK(c.data.augment[0].type == "random_crop");
  CHECK(c.data.augment[0].options == std::vector<std::pair<std::string, std::string>>{{"size", "28"}, {"padding", "2"}});
  CHECK(c.data.augment[1].options[0].second == "0.25");
  CHECK(locate_message(c, "data.augment[0].size: too big") == "a.yaml:4:31: data.augment[0].size: too big");
  CHECK(config_error([] { load_config_from_string("model: {type: mlp}\ndata: {augment: [{p: 1}]}\n", "a.yaml"); }) ==
        "a.yaml:2:18: data.augment[0]: missing the augment op's op, e.g. {op: hflip, p: 0.5}");
}
