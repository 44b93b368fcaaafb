// model.freeze, train.unfreeze_at_epoch and model.pretrained on small built models: frozen
// parameters get no gradient and no optimizer group, frozen batch norms keep their statistics,
// pre-trained tensors load by name with shape checks and the head can start fresh.
#include <catch2/catch.hpp>
#include <torch/torch.h>

#include "dltrain/core/error.h"
#include "dltrain/models/model_builder.h"
#include "dltrain/optim/optimizer_factory.h"
#include "dltrain/train/layer_freezing.h"
#include "dltrain/train/pretrained_weights.h"

using namespace dltrain;

namespace {

config::ModelConfig small_cnn() {
  config::ModelConfig model;
  model.type = "cnn";
  model.channels = {4};
  model.hidden = {8};
  return model;
}

std::shared_ptr<models::Network> build(int64_t classes, uint64_t seed) {
  torch::manual_seed(seed);
  return models::build_model(small_cnn(), {{1, 8, 8}, classes});
}

const std::vector<std::string> kFeatures = {"conv*", "norm?_*"};

}  // namespace

TEST_CASE("frozen parameters get no gradient, no optimizer group and fixed batch-norm statistics") {
  auto model = build(3, 1);
  train::LayerFreezing freezing(*model, kFeatures, 0);
  CHECK(freezing.frozen_names() ==
        std::vector<std::string>{"conv1_1.weight", "norm1_1.weight", "norm1_1.bias"});
  const auto params = model->named_parameters();
  CHECK_FALSE(params["conv1_1.weight"].requires_grad());
  CHECK(params["logits.weight"].requires_grad());

  config::OptimizerConfig adam;
  const auto built = optim::build_optimizer(adam, *model);
  for (const auto& group : built.groups)
    for (const auto& name : group.names) CHECK(name.rfind("conv1_1", 0) != 0);

  const auto frozen_before = params["conv1_1.weight"].clone();
  const auto mean_before = model->named_buffers()["norm1_1.running_mean"].clone();
  const auto head_mean_before = model->named_buffers()["norm_fc1.running_mean"].clone();
  model->train();
  freezing.start_epoch(1);
  for (int step = 0; step < 3; ++step) {
    built.optimizer->zero_grad();
    auto loss = model->forward(torch::randn({6, 1, 8, 8})).logsumexp(1).mean();
    loss.backward();
    built.optimizer->step();
  }
  CHECK_FALSE(params["conv1_1.weight"].grad().defined());
  CHECK(torch::equal(params["conv1_1.weight"], frozen_before));
  CHECK(torch::equal(model->named_buffers()["norm1_1.running_mean"], mean_before));
  CHECK_FALSE(torch::equal(model->named_buffers()["norm_fc1.running_mean"], head_mean_before));  // not frozen
  CHECK(params["logits.weight"].grad().defined());
}

TEST_CASE("train.unfreeze_at_epoch makes frozen parameters trainable from that epoch on") {
  auto model = build(3, 1);
  train::LayerFreezing freezing(*model, kFeatures, 3);
  model->train();
  freezing.start_epoch(2);
  CHECK(freezing.frozen());
  CHECK_FALSE(model->named_parameters()["conv1_1.weight"].requires_grad());
  model->train();
  freezing.start_epoch(3);
  CHECK_FALSE(freezing.frozen());
  CHECK(model->named_parameters()["conv1_1.weight"].requires_grad());
  for (const auto& item : model->named_modules()) CHECK(item.value()->is_training());
}

TEST_CASE("a freeze pattern that matches nothing is a config error naming its index") {
  auto model = build(3, 1);
  CHECK_THROWS_WITH(train::LayerFreezing(*model, {"conv*", "features.*"}, 0),
                    Catch::Contains("model.freeze[1]") && Catch::Contains("conv1_1.weight"));
}

TEST_CASE("pre-trained tensors load by name, shape mismatches and a replaced head are skipped and listed") {
  auto source = build(3, 1);
  auto target = build(5, 2);
  train::NamedTensors tensors;
  for (const auto& item : source->named_parameters()) tensors.emplace_back(item.key(), item.value());
  for (const auto& item : source->named_buffers()) tensors.emplace_back(item.key(), item.value());
  tensors.emplace_back("extra.weight", torch::ones({2}));

  const auto loaded = train::copy_matching_tensors(*target, tensors, "");
  CHECK(torch::equal(target->named_parameters()["conv1_1.weight"], source->named_parameters()["conv1_1.weight"]));
  CHECK_FALSE(torch::equal(target->named_parameters()["fc1.weight"], torch::zeros({8, 64})));
  std::string skipped;
  for (const auto& s : loaded.skipped) skipped += s + "\n";
  CHECK_THAT(skipped, Catch::Contains("logits.weight: shape [3, 8], the model's is [5, 8]") &&
                          Catch::Contains("extra.weight: not in this model"));

  // Same class count: only replace_head keeps the head from being loaded.
  auto same = build(3, 2);
  const auto head = train::final_layer_name(*same, {1, 8, 8});
  CHECK(head == "logits");
  const auto fresh = same->named_parameters()["logits.weight"].clone();
  const auto with_head = train::copy_matching_tensors(*same, tensors, head);
  CHECK(torch::equal(same->named_parameters()["logits.weight"], fresh));
  CHECK(torch::equal(same->named_parameters()["fc1.weight"], source->named_parameters()["fc1.weight"]));
  std::string replaced;
  for (const auto& s : with_head.skipped) replaced += s + "\n";
  CHECK_THAT(replaced, Catch::Contains("logits.bias: head replaced"));
}

TEST_CASE("a missing pre-trained source is a data error naming model.pretrained") {
  CHECK_THROWS_WITH(train::read_pretrained_tensors("/nonexistent/run"),
                    Catch::Contains("model.pretrained") && Catch::Contains("/nonexistent/run"));
}
