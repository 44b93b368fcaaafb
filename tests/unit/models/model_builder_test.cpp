// Model families build for the data's shape, count parameters exactly, and reject bad options.
#include <catch2/catch.hpp>
#include <torch/torch.h>

#include "dltrain/core/error.h"
#include "dltrain/models/model_builder.h"
#include "dltrain/models/model_summary.h"

using namespace dltrain;

namespace {

config::ModelConfig model_of(const std::string& type) {
  config::ModelConfig config;
  config.type = type;
  return config;
}

}  // namespace

TEST_CASE("an mlp maps a 28x28 image to one logit per class with the expected parameter count") {
  auto config = model_of("mlp");
  config.hidden = {32};
  config.norm = "none";
  auto model = models::build_model(config, {{1, 28, 28}, 10});
  auto logits = model->forward(torch::zeros({4, 1, 28, 28}));
  CHECK(logits.sizes() == torch::IntArrayRef({4, 10}));
  CHECK(models::count_parameters(*model) == (784 * 32 + 32) + (32 * 10 + 10));
}

TEST_CASE("a cnn adapts to 1- and 3-channel inputs of different sizes") {
  auto config = model_of("cnn");
  config.channels = {8, 16};
  config.hidden = {};
  for (auto shape : {std::vector<int64_t>{1, 28, 28}, std::vector<int64_t>{3, 32, 32}}) {
    auto model = models::build_model(config, {shape, 7});
    auto logits = model->forward(torch::zeros({2, shape[0], shape[1], shape[2]}));
    CHECK(logits.sizes() == torch::IntArrayRef({2, 7}));
  }
}

TEST_CASE("the cnn parameter count follows its layers: convs without bias under batch norm") {
  auto config = model_of("cnn");
  config.channels = {4};
  config.hidden = {};
  auto model = models::build_model(config, {{1, 8, 8}, 3});
  // conv 1->4 3x3 no bias (36) + batch norm (8) + linear 4*4*4 -> 3 (192 + 3)
  CHECK(models::count_parameters(*model) == 36 + 8 + 195);
}

TEST_CASE("an unknown model type is a config error listing the known types") {
  try {
    models::build_model(model_of("transformer"), {{1, 28, 28}, 10});
    FAIL("expected a ConfigError");
  } catch (const ConfigError& e) {
    CHECK_THAT(e.what(), Catch::Contains("model.type") && Catch::Contains("transformer") && Catch::Contains("mlp, cnn"));
  }
}

TEST_CASE("too many cnn stages for the image size is a config error naming model.channels") {
  auto config = model_of("cnn");
  config.channels = {8, 8, 8, 8};
  CHECK_THROWS_AS(models::build_model(config, {{1, 8, 8}, 10}), ConfigError);
  CHECK_THROWS_WITH(models::build_model(config, {{1, 8, 8}, 10}), Catch::Contains("model.channels"));
}

TEST_CASE("kaiming normal init gives conv weights the He standard deviation and zero biases") {
  auto config = model_of("mlp");
  config.hidden = {512};
  config.norm = "none";
  config.init.weight = "kaiming_normal";
  config.init.bias = "zeros";
  torch::manual_seed(0);
  auto model = models::build_model(config, {{1, 32, 32}, 10});
  auto fc = model->named_children()[1].value()->as<torch::nn::LinearImpl>();
  REQUIRE(fc != nullptr);
  const double expected_std = std::sqrt(2.0 / 1024.0);
  CHECK(fc->weight.std().item<double>() == Approx(expected_std).epsilon(0.02));
  CHECK(fc->bias.abs().max().item<double>() == 0.0);
}

TEST_CASE("the summary lists every layer with its output shape and the total parameters") {
  auto config = model_of("cnn");
  config.channels = {4};
  config.hidden = {16};
  auto model = models::build_model(config, {{1, 8, 8}, 3});
  auto summary = models::summarize(model, {1, 8, 8});
  REQUIRE(summary.layers.front().name == "conv1_1");
  CHECK(summary.layers.front().output_shape == std::vector<int64_t>{4, 8, 8});
  CHECK(summary.layers.back().name == "logits");
  CHECK(summary.layers.back().output_shape == std::vector<int64_t>{3});
  CHECK(summary.parameters == models::count_parameters(*model));
  CHECK_THAT(models::format_summary_table(summary), Catch::Contains("pool1") && Catch::Contains("[4, 4, 4]"));
}
