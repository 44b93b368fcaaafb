// The cnn family pools before a stage's last activation when the two commute: same values and
// gradients, a quarter of the activation work.
#include <catch2/catch.hpp>

#include <torch/torch.h>

#include "dltrain/config/experiment_config.h"
#include "dltrain/models/layers.h"
#include "dltrain/models/model_builder.h"
#include "dltrain/models/model_summary.h"

using namespace dltrain;

namespace {

std::vector<std::string> layer_names(const std::string& activation) {
  config::ModelConfig config;
  config.type = "cnn";
  config.channels = {4, 8};
  config.convs_per_stage = 2;
  config.hidden = {16};
  config.activation = activation;
  auto model = models::build_model(config, {{1, 8, 8}, 3});
  std::vector<std::string> names;
  for (const auto& layer : models::summarize(*model, {1, 8, 8}).layers) names.push_back(layer.name);
  return std::vector<std::string>(names.begin(), names.begin() + 12);
}

}  // namespace

TEST_CASE("a stage pools before its last activation only when they commute") {
  CHECK(layer_names("relu") == std::vector<std::string>{"conv1_1", "norm1_1", "act1_1", "conv1_2", "norm1_2", "pool1",
                                                         "act1_2", "conv2_1", "norm2_1", "act2_1", "conv2_2", "norm2_2"});
  CHECK(layer_names("gelu") == std::vector<std::string>{"conv1_1", "norm1_1", "act1_1", "conv1_2", "norm1_2", "act1_2",
                                                         "pool1", "conv2_1", "norm2_1", "act2_1", "conv2_2", "norm2_2"});
  CHECK_FALSE(models::commutes_with_max_pool("silu"));
  CHECK_FALSE(models::commutes_with_max_pool("sigmoid"));
}

TEST_CASE("for each commuting activation, pooling first gives the same values and gradients") {
  const auto name = GENERATE(std::string("relu"), std::string("relu6"), std::string("leaky_relu"), std::string("elu"));
  CAPTURE(name);
  REQUIRE(models::commutes_with_max_pool(name));
  auto activation = models::make_activation(name);
  torch::nn::MaxPool2d pool(2);
  torch::manual_seed(5);
  // Whole windows below zero and above 6 (ties after the activation) included.
  auto input = (torch::randn({3, 4, 8, 8}) * 5).round();
  input.slice(2, 0, 2).slice(3, 0, 2).fill_(-1.0);
  input.slice(2, 2, 4).slice(3, 2, 4).fill_(9.0);
  const auto upstream = torch::randn({3, 4, 4, 4});
  const auto a = input.clone().requires_grad_(true), b = input.clone().requires_grad_(true);
  const auto act_then_pool = pool->forward(activation.forward(a));
  const auto pool_then_act = activation.forward(pool->forward(b));
  CHECK(torch::allclose(act_then_pool, pool_then_act));
  (act_then_pool * upstream).sum().backward();
  (pool_then_act * upstream).sum().backward();
  CHECK(torch::allclose(a.grad(), b.grad()));
}
