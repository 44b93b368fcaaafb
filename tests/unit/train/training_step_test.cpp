// The per-batch step: accumulation equals the big batch, clipping bounds the update, penalties
// follow their formula, non-finite handling, EMA and the gradient health rows.
#include <catch2/catch.hpp>
#include <torch/torch.h>

#include "dltrain/core/error.h"
#include "dltrain/train/regularization.h"
#include "dltrain/train/training_step.h"
#include "dltrain/train/weight_ema.h"

using namespace dltrain;

namespace {

torch::nn::Sequential tiny_net(int seed = 3) {
  torch::manual_seed(seed);
  return torch::nn::Sequential(torch::nn::Linear(6, 5), torch::nn::Tanh(), torch::nn::Linear(5, 3));
}

config::ExperimentConfig step_config() {
  config::ExperimentConfig c;
  c.train.log_every = 1000;
  return c;
}

struct Harness {
  config::ExperimentConfig config;
  torch::nn::Sequential net;
  torch::optim::SGD sgd;
  train::LossFunction loss;
  train::TrainingStep step;
  Harness(const config::ExperimentConfig& c, double lr, train::WeightEma* ema = nullptr, int seed = 3)
      : config(c), net(tiny_net(seed)), sgd(net->parameters(), torch::optim::SGDOptions(lr)), loss(config.loss),
        step(config, train::StepModel{*net, [this](const torch::Tensor& x) { return net->forward(x); }}, sgd, loss,
             torch::kCPU, nullptr, ema) {}
  std::vector<torch::Tensor> weights() const {
    std::vector<torch::Tensor> out;
    for (const auto& p : net->parameters()) out.push_back(p.detach().clone());
    return out;
  }
};

torch::Tensor inputs(int64_t n, int seed = 11) {
  torch::manual_seed(seed);
  return torch::randn({n, 6});
}
torch::Tensor targets(int64_t n) { return torch::arange(n) % 3; }

double max_abs_diff(const std::vector<torch::Tensor>& a, const std::vector<torch::Tensor>& b) {
  double worst = 0;
  for (std::size_t i = 0; i < a.size(); ++i) worst = std::max(worst, (a[i] - b[i]).abs().max().item<double>());
  return worst;
}

}  // namespace

TEST_CASE("k-step accumulation of batch b gives the update of one batch of k*b") {
  auto accumulated = step_config();
  accumulated.train.accumulate = 3;
  Harness small(accumulated, 0.5);
  Harness big(step_config(), 0.5);
  const auto x = inputs(12), y = targets(12);
  small.step.start_epoch(1, 3);
  for (int k = 0; k < 3; ++k) {
    const auto r = small.step.run(x.slice(0, 4 * k, 4 * k + 4), y.slice(0, 4 * k, 4 * k + 4));
    CHECK(r.stepped == (k == 2));
  }
  big.step.start_epoch(1, 1);
  CHECK(big.step.run(x, y).stepped);
  CHECK(small.step.optimizer_steps() == 1);
  CHECK(max_abs_diff(small.weights(), big.weights()) < 1e-5);
  CHECK(max_abs_diff(small.weights(), Harness(step_config(), 0.5).weights()) > 1e-3);  // it did move
  CHECK(train::optimizer_steps_per_epoch(10, 3) == 4);
}

TEST_CASE("global-norm clipping leaves the gradient norm at most the limit") {
  auto clipped = step_config();
  clipped.train.grad_clip.norm = 0.05;
  Harness h(clipped, 1.0);  // plain SGD with lr 1: the update is minus the clipped gradient
  const auto before = h.weights();
  h.step.start_epoch(1, 1);
  h.step.run(inputs(16) * 50, targets(16));
  double squares = 0;
  const auto after = h.weights();
  for (std::size_t i = 0; i < after.size(); ++i) squares += (after[i] - before[i]).pow(2).sum().item<double>();
  CHECK(std::sqrt(squares) <= 0.05 + 1e-6);
  CHECK(std::sqrt(squares) > 0.049);  // the raw gradient was larger, so it was clipped, not zeroed

  auto by_value = step_config();
  by_value.train.grad_clip.value = 0.001;
  Harness v(by_value, 1.0);
  const auto v_before = v.weights();
  v.step.start_epoch(1, 1);
  v.step.run(inputs(16) * 50, targets(16));
  const auto v_after = v.weights();
  for (std::size_t i = 0; i < v_after.size(); ++i)
    CHECK((v_after[i] - v_before[i]).abs().max().item<double>() <= 0.001 + 1e-6);  // float32 rounding of w - 0.001
}

TEST_CASE("L1 and L2 penalties change the loss by exactly l1*sum|w| + l2*sum w^2 over weight tensors") {
  auto net = tiny_net();
  const auto weights = train::penalized_weights(*net);
  REQUIRE(weights.size() == 2);  // the two Linear weights, not their biases
  double abs_sum = 0, square_sum = 0;
  for (const auto& w : weights) {
    auto flat = w.detach().flatten().to(torch::kFloat64);
    for (int64_t i = 0; i < flat.numel(); ++i) {
      const double v = flat[i].item<double>();
      abs_sum += std::fabs(v);
      square_sum += v * v;
    }
  }
  config::RegularizationConfig r;
  CHECK_FALSE(train::weight_penalty(r, weights).defined());
  r.l1 = 0.003;
  r.l2 = 0.02;
  CHECK(train::weight_penalty(r, weights).item<double>() == Approx(0.003 * abs_sum + 0.02 * square_sum).epsilon(1e-6));

  // Through the step: with SGD lr 1, L2 adds exactly 2*l2*w to each weight's update, nothing to biases.
  auto with_l2 = step_config();
  with_l2.regularization.l2 = 0.1;
  Harness plain(step_config(), 1.0), penalized(with_l2, 1.0);
  const auto w0 = plain.weights();
  plain.step.start_epoch(1, 1);
  penalized.step.start_epoch(1, 1);
  plain.step.run(inputs(8), targets(8));
  penalized.step.run(inputs(8), targets(8));
  const auto a = plain.weights(), b = penalized.weights();
  CHECK(max_abs_diff({a[0] - b[0]}, {2 * 0.1 * w0[0]}) < 1e-6);
  CHECK(max_abs_diff({a[1]}, {b[1]}) < 1e-7);
}

TEST_CASE("a non-finite loss under nonfinite: stop is a DivergedError naming the batch and the layer") {
  Harness h(step_config(), 0.1);
  h.step.start_epoch(2, 5);
  h.step.run(inputs(4), targets(4));  // a finite batch first
  {
    torch::NoGradGuard no_grad;
    h.net->parameters()[0][0][0] = std::numeric_limits<float>::quiet_NaN();
  }
  // The step reads nothing back from the device: the loss is checked when the trainer reads its
  // totals (check_finite), and then the batch where it first broke is named.
  h.step.run(inputs(4), targets(4));
  h.step.run(inputs(4), targets(4));
  try {
    h.step.check_finite();
    FAIL("expected a DivergedError");
  } catch (const DivergedError& e) {
    const std::string message = e.what();
    CHECK(e.code() == ExitCode::diverged);
    CHECK(message.find("training diverged at epoch 2, batch 2 (optimizer step 2): the loss is nan") == 0);
    CHECK(message.find("in layer 0.weight") != std::string::npos);
  }
}

TEST_CASE("under nonfinite: stop a full record buffer is checked inside the step") {
  auto c = step_config();
  c.train.log_every = 2;
  Harness h(c, 0.1);
  h.step.start_epoch(1, 5);
  {
    torch::NoGradGuard no_grad;
    h.net->parameters()[0][0][0] = std::numeric_limits<float>::quiet_NaN();
  }
  h.step.run(inputs(4), targets(4));
  h.step.run(inputs(4), targets(4));
  CHECK_THROWS_AS(h.step.run(inputs(4), targets(4)), DivergedError);
}

TEST_CASE("nonfinite: skip leaves the weights alone and counts the skipped step") {
  auto skip = step_config();
  skip.train.nonfinite = "skip";
  Harness h(skip, 0.1);
  h.step.start_epoch(1, 2);
  auto bad = inputs(4);
  bad[0][0] = std::numeric_limits<float>::quiet_NaN();
  const auto before = h.weights();
  const auto r = h.step.run(bad, targets(4));
  CHECK(r.skipped);
  CHECK_FALSE(r.counted);  // left out of the epoch's averages
  CHECK(h.step.skipped_steps() == 1);
  CHECK(max_abs_diff(before, h.weights()) == 0.0);
  CHECK_FALSE(h.step.run(inputs(4), targets(4)).skipped);
  CHECK(max_abs_diff(before, h.weights()) > 0.0);
}

TEST_CASE("EMA weights follow ema = d*ema + (1-d)*w with the warm-up decay min(decay, (1+n)/(10+n))") {
  auto net = tiny_net();
  train::WeightEma ema(*net, 0.9);
  CHECK(ema.decay_at(0) == Approx(0.1));
  CHECK(ema.decay_at(1000) == Approx(0.9));
  auto expected = net->parameters()[0].detach().clone();
  for (int n = 0; n < 3; ++n) {
    {
      torch::NoGradGuard no_grad;
      for (auto& p : net->parameters()) p.add_(0.5);
    }
    ema.update(*net);
    const double d = std::min(0.9, (1.0 + n) / (10.0 + n));
    expected = d * expected + (1 - d) * net->parameters()[0].detach();
  }
  const auto live = net->parameters()[0].detach().clone();
  ema.swap(*net);
  CHECK(max_abs_diff({net->parameters()[0].detach()}, {expected}) < 1e-6);
  ema.swap(*net);
  CHECK(max_abs_diff({net->parameters()[0].detach()}, {live}) == 0.0);
}

TEST_CASE("the step updates the EMA and reports gradient health every log_every steps") {
  auto c = step_config();
  c.train.log_every = 2;
  auto ema_net = tiny_net();
  train::WeightEma ema(*ema_net, 0.99);
  Harness h(c, 0.1, &ema);
  h.step.start_epoch(1, 4);
  std::vector<io::MetricRow> rows;
  for (int k = 0; k < 4; ++k) {
    const auto r = h.step.run(inputs(8, k), targets(8));
    if (!r.health.empty()) rows.push_back(r.health);
  }
  CHECK(ema.updates() == 4);
  REQUIRE(rows.size() == 2);
  double total = 0, ratio = 0, grad = 0;
  CHECK(io::find_metric(rows[0], "grad_norm/total", total));
  CHECK(io::find_metric(rows[0], "grad_norm/0.weight", grad));
  CHECK(io::find_metric(rows[0], "update_ratio/2.bias", ratio));
  CHECK(total >= grad);
  CHECK(grad > 0);
  CHECK(ratio > 0);
}

TEST_CASE("train.amp on a CPU device is a config error naming the key") {
  config::TrainConfig t;
  t.amp = true;
  try {
    train::check_amp_device(t, torch::kCPU);
    FAIL("expected a ConfigError");
  } catch (const ConfigError& e) {
    CHECK(std::string(e.what()).find("train.amp: mixed precision needs a CUDA device") == 0);
  }
  t.amp = false;
  CHECK_NOTHROW(train::check_amp_device(t, torch::kCPU));
}
