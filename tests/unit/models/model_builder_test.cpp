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
    CHECK_THAT(e.what(), Catch::Contains("model.type") && Catch::Contains("transformer") && Catch::Contains("mlp, cnn, resnet"));
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
  auto fc = model->named_children()[1].value()->as<torch::nn::LinearImpl>();  // after flatten
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
  auto summary = models::summarize(*model, {1, 8, 8});
  REQUIRE(summary.layers.front().name == "conv1_1");
  CHECK(summary.layers.front().output_shape == std::vector<int64_t>{4, 8, 8});
  CHECK(summary.layers.back().name == "logits");
  CHECK(summary.layers.back().output_shape == std::vector<int64_t>{3});
  CHECK(summary.parameters == models::count_parameters(*model));
  CHECK_THAT(models::format_summary_table(summary), Catch::Contains("pool1") && Catch::Contains("[4, 4, 4]"));
}

TEST_CASE("the summary counts MACs of conv and linear layers from their real output shapes") {
  auto config = model_of("cnn");
  config.channels = {4};
  config.hidden = {16};
  auto model = models::build_model(config, {{1, 8, 8}, 3});
  auto summary = models::summarize(*model, {1, 8, 8}, 32);
  // conv: 4x8x8 outputs x (1 x 3 x 3); fc1: 16 x 64; logits: 3 x 16
  CHECK(summary.layers.front().macs == 4 * 8 * 8 * 9);
  CHECK(summary.macs == 4 * 8 * 8 * 9 + 16 * 64 + 3 * 16);
  CHECK(summary.layers.front().training == "trainable");
  // activation memory: every layer output, float32, for the batch of 32
  int64_t values = 0;
  for (const auto& row : summary.layers) {
    int64_t n = 1;
    for (auto d : row.output_shape) n *= d;
    values += n;
  }
  CHECK(summary.activation_bytes() == values * 4 * 32);
  const auto table = models::format_summary_table(summary);
  CHECK_THAT(table, Catch::Contains("MACs per sample: 3,376") && Catch::Contains("for a batch of 32"));
}

TEST_CASE("frozen parameters are reported as frozen") {
  auto config = model_of("mlp");
  config.hidden = {8};
  auto model = models::build_model(config, {{4}, 2});
  for (auto& p : model->named_parameters())
    if (p.key().rfind("fc1", 0) == 0) p.value().requires_grad_(false);
  auto summary = models::summarize(*model, {4});
  CHECK(summary.layers[1].name == "fc1");
  CHECK(summary.layers[1].training == "frozen");
  CHECK(summary.trainable_parameters == summary.parameters - 4 * 8);
}

TEST_CASE("an option of another family is a config error naming the option") {
  auto config = model_of("resnet18");
  config.hidden = {32};
  try {
    models::build_model(config, {{3, 32, 32}, 10});
    FAIL("expected a ConfigError");
  } catch (const ConfigError& e) {
    CHECK_THAT(e.what(), Catch::StartsWith("model.hidden: not an option of resnet18"));
  }
  config = model_of("mlp");
  config.block = "bottleneck";
  CHECK_THROWS_WITH(models::build_model(config, {{4}, 2}), Catch::StartsWith("model.block: not an option of mlp"));
}

TEST_CASE("resnet options change the network: bottleneck blocks, depth per stage, width, zero-init") {
  auto config = model_of("resnet");
  config.block = "bottleneck";
  config.blocks = {1, 2};
  config.width_multiplier = 0.25;
  config.zero_init_residual = true;
  auto model = models::build_model(config, {{3, 32, 32}, 10});
  const auto params = model->named_parameters();
  CHECK(params.contains("layer2.1.conv3.weight"));
  CHECK_FALSE(params.contains("layer3.0.conv1.weight"));
  CHECK(params["layer1.0.conv1.weight"].size(0) == 16);  // 64 x 0.25
  CHECK(params["layer1.0.bn3.weight"].abs().sum().item<double>() == 0.0);
  CHECK(params["bn1.weight"].abs().sum().item<double>() > 0.0);
}

TEST_CASE("group, layer and instance norm replace batch norm where asked") {
  auto config = model_of("cnn");
  config.channels = {8};
  config.hidden = {16};
  for (const char* norm : {"group", "layer", "instance"}) {
    config.norm = norm;
    config.norm_groups = 4;
    if (std::string(norm) == "instance") config.hidden = {};
    auto model = models::build_model(config, {{1, 8, 8}, 3});
    auto summary = models::summarize(*model, {1, 8, 8});
    CHECK(summary.layers[1].type == (std::string(norm) == "instance" ? "InstanceNorm2d" : "GroupNorm"));
  }
  config.norm = "group";
  config.norm_groups = 3;
  CHECK_THROWS_WITH(models::build_model(config, {{1, 8, 8}, 3}), Catch::StartsWith("model.norm_groups"));
}

TEST_CASE("init schemes: orthogonal rows, normal with the given std, fan_out kaiming") {
  auto config = model_of("mlp");
  config.hidden = {64};
  config.norm = "none";
  config.init.weight = "orthogonal";
  auto model = models::build_model(config, {{256}, 10});
  auto w = model->named_parameters()["fc1.weight"];  // 64 x 256: orthonormal rows
  CHECK(torch::allclose(torch::mm(w, w.t()), torch::eye(64), 1e-4, 1e-4));

  config.init.weight = "normal";
  config.init.std = 0.05;
  torch::manual_seed(1);
  model = models::build_model(config, {{256}, 10});
  CHECK(model->named_parameters()["fc1.weight"].std().item<double>() == Approx(0.05).epsilon(0.05));

  config.init.weight = "kaiming_normal";
  config.init.mode = "fan_out";
  model = models::build_model(config, {{256}, 10});
  CHECK(model->named_parameters()["fc1.weight"].std().item<double>() == Approx(std::sqrt(2.0 / 64)).epsilon(0.05));
}

TEST_CASE("an rnn reads an image as rows and a feature vector as steps of one feature") {
  auto config = model_of("rnn");
  config.hidden_size = 8;
  config.bidirectional = true;
  for (const char* cell : {"lstm", "gru"}) {
    config.cell = cell;
    auto model = models::build_model(config, {{3, 5, 7}, 4});
    CHECK(model->forward(torch::rand({2, 3, 5, 7})).sizes() == torch::IntArrayRef({2, 4}));
    auto summary = models::summarize(*model, {3, 5, 7});
    REQUIRE(summary.layers.front().name == "rnn");
    CHECK(summary.layers.front().output_shape == std::vector<int64_t>{5, 16});  // 5 rows, 2 x 8
    const int64_t gates = std::string(cell) == "lstm" ? 4 : 3;
    CHECK(summary.layers.front().macs == 5 * 2 * gates * 8 * (21 + 8));
    auto table = models::build_model(config, {{6}, 3});
    CHECK(table->forward(torch::rand({2, 6})).sizes() == torch::IntArrayRef({2, 3}));
  }
}
