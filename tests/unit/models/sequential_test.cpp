// `sequential`: layers from the config list, shapes inferred, and errors that name the layer.
#include <catch2/catch.hpp>
#include <torch/torch.h>

#include "dltrain/core/error.h"
#include "dltrain/models/model_builder.h"
#include "dltrain/models/model_summary.h"

using namespace dltrain;

namespace {

config::LayerConfig layer(const std::string& type, std::vector<std::pair<std::string, std::string>> options = {},
                          std::vector<config::LayerConfig> layers = {}) {
  return {type, std::move(options), std::move(layers)};
}

config::ModelConfig sequential(std::vector<config::LayerConfig> layers) {
  config::ModelConfig config;
  config.type = "sequential";
  config.layers = std::move(layers);
  return config;
}

std::string build_error(const config::ModelConfig& config, const std::vector<int64_t>& shape) {
  try {
    models::build_model(config, {shape, 10});
  } catch (const ConfigError& e) {
    return e.what();
  }
  return "no error";
}

}  // namespace

TEST_CASE("a sequential list builds in order, infers input sizes and adds the logits layer") {
  auto config = sequential({layer("conv2d", {{"out", "8"}, {"kernel", "3"}}), layer("batchnorm"), layer("relu"),
                            layer("residual", {}, {layer("conv2d", {{"out", "8"}}), layer("groupnorm", {{"groups", "2"}}),
                                                   layer("silu")}),
                            layer("depthwise_conv2d", {{"stride", "2"}}), layer("max_pool2d"), layer("dropout2d", {{"p", "0.1"}}),
                            layer("flatten"), layer("linear", {{"out", "32"}}), layer("layernorm"), layer("gelu")});
  auto model = models::build_model(config, {{1, 28, 28}, 10});
  CHECK(model->forward(torch::rand({3, 1, 28, 28})).sizes() == torch::IntArrayRef({3, 10}));
  const auto summary = models::summarize(*model, {1, 28, 28});
  std::vector<std::string> names;
  for (const auto& row : summary.layers) names.push_back(row.name);
  CHECK(names == std::vector<std::string>{"0", "1", "2", "3.0", "3.1", "3.2", "4", "5", "6", "7", "8", "9", "10",
                                          "logits"});
  CHECK(summary.layers[6].output_shape == std::vector<int64_t>{8, 14, 14});  // depthwise, stride 2
  CHECK(summary.layers[8].type == "Dropout2d");
  CHECK(summary.layers[9].output_shape == std::vector<int64_t>{8 * 7 * 7});
}

TEST_CASE("a residual block whose layers change the shape names the layer and both shapes") {
  auto config = sequential({layer("conv2d", {{"out", "8"}}),
                            layer("residual", {}, {layer("conv2d", {{"out", "16"}}), layer("relu")})});
  CHECK(build_error(config, {1, 28, 28}) ==
        "model.layers[1]: residual block maps its input [8, 28, 28] to [16, 28, 28]; the wrapped layers must keep "
        "the shape so the input can be added");
}

TEST_CASE("a layer that cannot take the previous shape names its index, type and the shape") {
  auto config = sequential({layer("flatten"), layer("conv2d", {{"out", "8"}})});
  CHECK(build_error(config, {1, 28, 28}) == "model.layers[1]: conv2d expects input [C, H, W], got [784]");
  config = sequential({layer("conv2d", {{"out", "4"}, {"kernel", "5"}, {"padding", "0"}}), layer("max_pool2d", {{"kernel", "30"}})});
  CHECK_THAT(build_error(config, {1, 28, 28}),
             Catch::StartsWith("model.layers[1]: max_pool2d cannot take input of shape [4, 24, 24]"));
}

TEST_CASE("unknown layer types, unknown options and non-positive widths are errors at the option's key") {
  CHECK_THAT(build_error(sequential({layer("conv3d", {{"out", "8"}})}), {1, 8, 8}),
             Catch::StartsWith("model.layers[0].type: unknown layer type \"conv3d\""));
  CHECK(build_error(sequential({layer("linear", {{"out", "8"}, {"bias", "true"}, {"outs", "3"}})}), {4}) ==
        "model.layers[0].outs: unknown option of linear (it takes out, bias); did you mean \"out\"?");
  CHECK(build_error(sequential({layer("linear", {{"out", "0"}})}), {4}) ==
        "model.layers[0].out: expected an integer in [1, 65536] for linear, got \"0\"");
  // A ceiling, so a typo cannot become a multi-gigabyte weight matrix.
  CHECK(build_error(sequential({layer("linear", {{"out", "1000000000"}})}), {4}) ==
        "model.layers[0].out: expected an integer in [1, 65536] for linear, got \"1000000000\"");
  CHECK(build_error(sequential({layer("linear")}), {4}) == "model.layers[0]: linear needs `out` (a positive integer)");
  CHECK_THAT(build_error(sequential({layer("residual", {}, {layer("relu"), layer("dropout", {{"p", "1.5"}})})}), {4}),
             Catch::StartsWith("model.layers[0].layers[1].p: expected a number in [0, 1)"));
}
