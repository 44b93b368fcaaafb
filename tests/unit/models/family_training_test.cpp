// Every family learns Fashion-MNIST: a 1000-image subset, tiny widths, a few epochs, on 28x28x1
// and on a 32x32x3 variant (padded by 2, gray repeated into 3 channels). Loss must fall by a fifth
// and test accuracy must be well above chance (10%): the deep zoo families get only ~60-80 steps,
// so the bar is 35% for every family (mlp/cnn/rnn/sequential reach 65-80%).
#include <catch2/catch.hpp>
#include <torch/torch.h>

#include "dltrain/data/idx_reader.h"
#include "dltrain/models/model_builder.h"

using namespace dltrain;

namespace {

struct Split {
  torch::Tensor x, y;
};

Split read_subset(const std::string& prefix, int64_t count) {
  const auto images = data::read_idx_split(prefix);
  auto pixels = torch::from_blob(const_cast<uint8_t*>(images.pixels.data()), {images.count, 1, 28, 28}, torch::kUInt8);
  auto labels = torch::tensor(images.labels);
  return {((pixels.slice(0, 0, count).to(torch::kFloat) / 255.0) - 0.286) / 0.353, labels.slice(0, 0, count).clone()};
}

const Split& train_split() {
  static const Split split = read_subset("/usr/share/datasets/fashion-mnist/train", 1000);
  return split;
}
const Split& test_split() {
  static const Split split = read_subset("/usr/share/datasets/fashion-mnist/t10k", 500);
  return split;
}

torch::Tensor as_rgb32(const torch::Tensor& x) {
  return torch::constant_pad_nd(x, {2, 2, 2, 2}, (0.0 - 0.286) / 0.353).repeat({1, 3, 1, 1});
}

struct Outcome {
  double first_loss = 0, last_loss = 0, accuracy = 0;
};

Outcome train(models::Network& model, const torch::Tensor& x, const torch::Tensor& y, const torch::Tensor& test_x,
              const torch::Tensor& test_y, int64_t epochs, double lr) {
  torch::optim::Adam optimizer(model.parameters(), torch::optim::AdamOptions(lr));
  Outcome outcome;
  const int64_t batch = 50;
  for (int64_t epoch = 0; epoch < epochs; ++epoch) {
    model.train();
    double total = 0;
    for (int64_t start = 0; start < x.size(0); start += batch) {
      auto logits = model.forward(x.slice(0, start, start + batch));
      auto loss = torch::cross_entropy_loss(logits, y.slice(0, start, start + batch));
      optimizer.zero_grad();
      loss.backward();
      optimizer.step();
      total += loss.item<double>();
    }
    (epoch == 0 ? outcome.first_loss : outcome.last_loss) = total / static_cast<double>(x.size(0) / batch);
  }
  model.eval();
  torch::NoGradGuard no_grad;
  outcome.accuracy = model.forward(test_x).argmax(1).eq(test_y).to(torch::kFloat).mean().item<double>();
  return outcome;
}

config::ModelConfig tiny(const std::string& family) {
  config::ModelConfig c;
  c.type = family;
  if (family == "mlp") c.hidden = {64};
  if (family == "cnn") c.channels = {8, 16}, c.hidden = {};
  if (family == "resnet") c.blocks = {1, 1}, c.width_multiplier = 0.125;
  if (family == "mobilenet_v2") c.width_multiplier = 0.25, c.stem = "imagenet";
  if (family == "efficientnet") c.width_multiplier = 0.25, c.depth_multiplier = 0.25, c.stem = "imagenet";
  if (family == "rnn") c.hidden_size = 32;
  if (family == "sequential") {
    c.layers = {{"conv2d", {{"out", "8"}, {"stride", "2"}}, {}},
                {"batchnorm", {}, {}},
                {"relu", {}, {}},
                {"residual", {}, {{"conv2d", {{"out", "8"}}, {}}, {"batchnorm", {}, {}}, {"relu", {}, {}}}},
                {"adaptive_avg_pool2d", {{"size", "4"}}, {}},
                {"flatten", {}, {}}};
  }
  return c;
}

}  // namespace

TEST_CASE("every family learns a Fashion-MNIST subset at 28x28x1 and 32x32x3") {
  const std::string family =
      GENERATE(as<std::string>{}, "mlp", "cnn", "resnet", "mobilenet_v2", "efficientnet", "rnn", "sequential");
  const bool rgb = GENERATE(false, true);
  INFO(family << (rgb ? " at 32x32x3" : " at 28x28x1"));
  torch::manual_seed(0);
  const Split& train_set = train_split();
  const Split& test_set = test_split();
  const torch::Tensor x = rgb ? as_rgb32(train_set.x) : train_set.x;
  const torch::Tensor test_x = rgb ? as_rgb32(test_set.x) : test_set.x;
  auto model = models::build_model(tiny(family), {x.sizes().slice(1).vec(), 10});
  const bool slow_to_start = family == "mobilenet_v2" || family == "efficientnet";
  const auto outcome = train(*model, x, train_set.y, test_x, test_set.y, slow_to_start ? 4 : 3, 3e-3);
  CHECK(outcome.last_loss < 0.8 * outcome.first_loss);
  CHECK(outcome.accuracy > 0.35);
}
