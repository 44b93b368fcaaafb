// The model's memory format: which one `auto` picks, and that channels-last reaches every layer
// of a CNN on grey images, whose first convolution has one input channel.
#include <catch2/catch.hpp>

#include <torch/torch.h>

#include "dltrain/config/experiment_config.h"
#include "dltrain/models/memory_format.h"
#include "dltrain/models/model_builder.h"
#include "dltrain/models/network.h"

using namespace dltrain;

namespace {

std::shared_ptr<models::Network> grey_cnn() {
  config::ModelConfig config;
  config.type = "cnn";
  config.channels = {8, 16};
  config.hidden = {16};
  return models::build_model(config, {{1, 12, 12}, 3});
}

}  // namespace

TEST_CASE("auto picks channels-last for a CNN on the CPU and contiguous for an MLP") {
  auto cnn = grey_cnn();
  CHECK(models::choose_memory_format("auto", *cnn, torch::kCPU, false) == c10::MemoryFormat::ChannelsLast);
  CHECK(models::choose_memory_format("contiguous", *cnn, torch::kCPU, false) == c10::MemoryFormat::Contiguous);
  config::ModelConfig mlp;
  mlp.type = "mlp";
  mlp.hidden = {8};
  auto dense = models::build_model(mlp, {{6}, 3});
  CHECK(models::choose_memory_format("auto", *dense, torch::kCPU, false) == c10::MemoryFormat::Contiguous);
}

TEST_CASE("channels-last reaches the first stage of a CNN on one-channel images") {
  // A [C_out, 1, k, k] weight is channels-last and contiguous at once; unless its strides say
  // channels-last explicitly, oneDNN runs the first convolution (and everything after it up to
  // the next one) in NCHW.
  auto model = grey_cnn();
  REQUIRE(models::use_memory_format("auto", *model, torch::kCPU, false) == c10::MemoryFormat::ChannelsLast);
  auto images = torch::randn({4, 1, 12, 12});  // a plain batch, as the loader makes it
  models::LayerTrace trace;
  trace.capture = "conv1_1";
  model->eval();
  torch::NoGradGuard no_grad;
  const auto output = model->trace(images, &trace, "");
  REQUIRE(trace.captured.defined());
  CHECK(trace.captured.is_contiguous(c10::MemoryFormat::ChannelsLast));
  CHECK_FALSE(trace.captured.is_contiguous());
  // The values are the model's, whatever the strides.
  auto reference = grey_cnn();
  for (size_t i = 0; i < reference->parameters().size(); ++i)
    reference->parameters()[i].copy_(model->parameters()[i]);
  for (size_t i = 0; i < reference->buffers().size(); ++i) reference->buffers()[i].copy_(model->buffers()[i]);
  reference->eval();
  CHECK(torch::allclose(reference->forward(images), output, 1e-5, 1e-6));
}
