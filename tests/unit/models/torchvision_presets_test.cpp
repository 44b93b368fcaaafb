// The zoo presets match torchvision 0.14.1 exactly (names, shapes, order, counts) and their MACs
// match torchvision measured with forward hooks. Golden files: scripts/fixtures/torchvision_models.py.
#include <catch2/catch.hpp>
#include <torch/torch.h>

#include <fstream>
#include <sstream>

#include "dltrain/models/model_builder.h"
#include "dltrain/models/model_summary.h"

using namespace dltrain;

namespace {

struct Golden {
  int64_t parameters = 0, macs = 0;
  std::vector<std::string> params, buffers;  // "name shape"
};

Golden read_golden(const std::string& preset) {
  std::ifstream in(std::string(DLTRAIN_TEST_FIXTURES) + "/models/" + preset + ".txt");
  REQUIRE(in.good());
  Golden golden;
  std::string line;
  while (std::getline(in, line)) {
    std::istringstream words(line);
    std::string kind, name, shape;
    words >> kind >> name >> shape;
    if (kind == "parameters") golden.parameters = std::stoll(name);
    if (kind == "macs") golden.macs = std::stoll(name);
    if (kind == "param") golden.params.push_back(name + " " + shape);
    if (kind == "buffer") golden.buffers.push_back(name + " " + shape);
  }
  return golden;
}

template <class Items>
std::vector<std::string> described(const Items& items) {
  std::vector<std::string> out;
  for (const auto& item : items) {
    std::string shape;
    for (auto dim : item.value().sizes()) shape += (shape.empty() ? "" : ",") + std::to_string(dim);
    out.push_back(item.key() + " " + shape);
  }
  return out;
}

}  // namespace

TEST_CASE("presets have torchvision's parameter and buffer names, shapes, order and counts") {
  const auto [preset, published_macs] = GENERATE(table<std::string, double>({{"resnet18", 1.814e9},
                                                                            {"resnet34", 3.664e9},
                                                                            {"resnet50", 4.09e9},
                                                                            {"mobilenet_v2", 0.30e9},
                                                                            {"efficientnet_b0", 0.39e9}}));
  INFO(preset);
  const Golden golden = read_golden(preset);
  config::ModelConfig config;
  config.type = preset;
  auto model = models::build_model(config, {{3, 224, 224}, 1000});
  CHECK(described(model->named_parameters()) == golden.params);
  CHECK(described(model->named_buffers()) == golden.buffers);

  const auto summary = models::summarize(*model, {3, 224, 224});
  CHECK(summary.parameters == golden.parameters);
  CHECK(summary.macs == golden.macs);
  CHECK(std::abs(static_cast<double>(summary.macs) / published_macs - 1.0) < 0.02);
  CHECK(summary.layers.back().output_shape == std::vector<int64_t>{1000});
}

TEST_CASE("preset parameter and MAC counts are pinned") {
  const auto [preset, parameters, macs] = GENERATE(table<std::string, int64_t, int64_t>({
      {"resnet18", 11689512, 1814073344},
      {"resnet50", 25557032, 4089184256},
      {"mobilenet_v2", 3504872, 300774272},
      {"efficientnet_b0", 5288548, 385814752},
  }));
  INFO(preset);
  config::ModelConfig config;
  config.type = preset;
  auto model = models::build_model(config, {{3, 224, 224}, 1000});
  const auto summary = models::summarize(*model, {3, 224, 224});
  CHECK(summary.parameters == parameters);
  CHECK(summary.macs == macs);
  int64_t row_parameters = 0;
  for (const auto& row : summary.layers) row_parameters += row.parameters;
  CHECK(row_parameters == parameters);  // every parameter sits in exactly one listed layer
}

TEST_CASE("a preset adapts to the data: 1-channel 28x28 input, 10 classes, small stem") {
  for (const char* preset : {"resnet18", "mobilenet_v2", "efficientnet_b0"}) {
    INFO(preset);
    config::ModelConfig config;
    config.type = preset;
    config.width_multiplier = 0.25;
    auto model = models::build_model(config, {{1, 28, 28}, 10});
    CHECK(model->forward(torch::zeros({2, 1, 28, 28})).sizes() == torch::IntArrayRef({2, 10}));
  }
  config::ModelConfig config;
  config.type = "resnet18";
  auto model = models::build_model(config, {{1, 28, 28}, 10});
  const auto summary = models::summarize(*model, {1, 28, 28});
  CHECK(summary.layers.front().name == "conv1");
  CHECK(summary.layers.front().output_shape == std::vector<int64_t>{64, 28, 28});  // 3x3 stride 1, no max-pool
}

TEST_CASE("the default activation is the family's own: ReLU6 in mobilenet_v2, SiLU in efficientnet") {
  for (const auto& [preset, activation] : {std::pair<std::string, std::string>{"mobilenet_v2", "ReLU6"},
                                           {"efficientnet_b0", "SiLU"},
                                           {"resnet18", "ReLU"}}) {
    config::ModelConfig config;
    config.type = preset;
    auto model = models::build_model(config, {{3, 64, 64}, 10});
    const auto summary = models::summarize(*model, {3, 64, 64});
    CHECK(summary.layers[2].type == activation);  // conv, norm, activation of the stem
    config.activation = "gelu";
    model = models::build_model(config, {{3, 64, 64}, 10});
    CHECK(models::summarize(*model, {3, 64, 64}).layers[2].type == "GELU");
  }
}
