// Folding batch norm into the layer before it must not change what the model computes in eval
// mode, for the built families (residual blocks, shortcuts, squeeze-and-excitation inside) and
// memory formats, must fold every norm that follows a conv or linear layer, and must leave the
// model itself alone.
#include <catch2/catch.hpp>

#include <torch/torch.h>

#include "dltrain/config/experiment_config.h"
#include "dltrain/models/batch_norm_folding.h"
#include "dltrain/models/memory_format.h"
#include "dltrain/models/model_builder.h"

using namespace dltrain;

namespace {

// A few training-mode batches give the norms running statistics far from their 0/1 start.
void settle_norms(models::Network& model, const std::vector<int64_t>& input_shape) {
  torch::NoGradGuard no_grad;
  model.train();
  std::vector<int64_t> shape = {16};
  shape.insert(shape.end(), input_shape.begin(), input_shape.end());
  for (int i = 0; i < 5; ++i) model.forward(torch::randn(shape) * 2 + 0.5);
  for (auto& param : model.parameters()) param.add_(torch::randn_like(param) * 0.1);
  model.eval();
}

models::LayerTrace traced(models::Network& model, const std::vector<int64_t>& input_shape) {
  models::LayerTrace trace;
  std::vector<int64_t> shape = {1};
  shape.insert(shape.end(), input_shape.begin(), input_shape.end());
  torch::NoGradGuard no_grad;
  model.trace(torch::zeros(shape), &trace, "");
  return trace;
}

int64_t count_layers(models::Network& model, const std::vector<int64_t>& input_shape) {
  return static_cast<int64_t>(traced(model, input_shape).layers.size());
}

int64_t count_batch_norms(models::Network& model, const std::vector<int64_t>& input_shape) {
  int64_t norms = 0;
  for (const auto& layer : traced(model, input_shape).layers) norms += layer.module->name().find("BatchNorm") != std::string::npos;
  return norms;
}

}  // namespace

TEST_CASE("a folded model computes what the model computes in eval mode") {
  const std::vector<int64_t> image = {3, 16, 16};
  const auto format = GENERATE(std::string("contiguous"), std::string("channels_last"));
  const auto family = GENERATE(std::string("cnn"), std::string("mlp"), std::string("resnet18"),
                               std::string("mobilenet_v2"), std::string("efficientnet_b0"));
  CAPTURE(format, family);
  torch::manual_seed(3);
  config::ModelConfig config;
  config.type = family;
  if (family == "cnn" || family == "mlp") {
    config.hidden = {32};
    if (family == "cnn") config.channels = {8, 16};
  } else {
    config.width_multiplier = 0.25;
  }
  auto model = models::build_model(config, {image, 5});
  models::use_memory_format(format, *model, torch::kCPU, false);
  settle_norms(*model, image);

  const auto input = torch::randn({4, 3, 16, 16}).contiguous(
      format == "channels_last" ? c10::MemoryFormat::ChannelsLast : c10::MemoryFormat::Contiguous);
  torch::NoGradGuard no_grad;
  const auto expected = model->forward(input);
  const auto folded = models::fold_batch_norm(model);
  REQUIRE(folded != model);
  CHECK(count_layers(*folded, image) < count_layers(*model, image));
  // Every norm follows a conv or linear layer, inside residual blocks and shortcuts too.
  REQUIRE(count_batch_norms(*model, image) > 0);
  CHECK(count_batch_norms(*folded, image) == 0);
  // Float rounding only: the largest difference relative to the largest output (deep random
  // networks reach outputs in the thousands).
  const double difference = (folded->forward(input) - expected).abs().max().item<double>();
  const double scale = expected.abs().max().item<double>();
  CAPTURE(difference, scale);
  CHECK(difference <= 1e-5 * scale + 1e-5);
  CHECK(torch::equal(model->forward(input), expected));  // the model itself is unchanged
}

TEST_CASE("batch norm without running statistics, or a model without batch norm, is not folded") {
  auto chain = std::make_shared<models::ChainImpl>();
  chain->add("conv", torch::nn::Conv2d(torch::nn::Conv2dOptions(2, 4, 3).bias(false)));
  chain->add("norm", torch::nn::BatchNorm2d(torch::nn::BatchNormOptions(4).track_running_stats(false)));
  chain->eval();
  std::shared_ptr<models::Network> model = chain;
  CHECK(models::fold_batch_norm(model) == model);

  config::ModelConfig config;
  config.type = "mlp";
  config.hidden = {8};
  config.norm = "none";
  auto plain = models::build_model(config, {{6}, 3});
  plain->eval();
  CHECK(models::fold_batch_norm(plain) == plain);
}
