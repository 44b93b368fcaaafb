// fused_head: a training classifier head as one operator, against the same layers run one by one
// (a trace always runs them so).
#include <catch2/catch.hpp>

#include <ATen/Parallel.h>
#include <torch/torch.h>

#include <algorithm>
#include <limits>
#include <string>
#include <vector>

#include "dltrain/models/dropout.h"
#include "dltrain/models/fused_head.h"
#include "dltrain/models/network.h"

using namespace dltrain;
namespace nn = torch::nn;

namespace {

bool ran_fused_head(const torch::Tensor& y) {
  return y.grad_fn() && y.grad_fn()->name().find("FusedHead") != std::string::npos;
}

// Everything a training step changes, after one forward and backward with `seed`.
struct StepResult {
  torch::Tensor output, input_grad;
  std::vector<torch::Tensor> parameter_grads, buffers;
};

StepResult train_once(models::Chain& chain, const torch::Tensor& input, const torch::Tensor& output_grad, bool fused,
                      uint64_t seed) {
  chain->zero_grad();
  const auto x = input.detach().clone(input.suggest_memory_format()).requires_grad_(true);
  torch::manual_seed(seed);
  models::LayerTrace trace;
  const auto y = fused ? chain->forward(x) : chain->trace(x, &trace, "");
  CHECK(ran_fused_head(y) == fused);
  y.backward(output_grad);
  StepResult result{y.detach(), x.grad(), {}, {}};
  for (const auto& p : chain->parameters()) result.parameter_grads.push_back(p.grad().defined() ? p.grad().clone() : p.grad());
  for (const auto& b : chain->buffers()) result.buffers.push_back(b.clone());
  return result;
}

// Equal up to float32 rounding, judged against the tensor's own scale: the fused products run on
// other kernels (oneDNN's, in another summation order) than LibTorch's layers, and the batch norm
// scales their rounding up with the gradients.
bool close(const torch::Tensor& fused, const torch::Tensor& layers, double rtol, double atol) {
  const double scale = std::max(1.0, layers.abs().max().item<double>());
  return torch::allclose(fused, layers, rtol, atol * scale);
}

void check_same(const StepResult& fused, const StepResult& layers) {
  CHECK(close(fused.output, layers.output, 1e-4, 1e-5));
  CHECK(fused.input_grad.strides() == layers.input_grad.strides());
  CHECK(close(fused.input_grad, layers.input_grad, 1e-4, 1e-6));
  REQUIRE(fused.parameter_grads.size() == layers.parameter_grads.size());
  for (size_t i = 0; i < fused.parameter_grads.size(); ++i) {
    CAPTURE(i);
    REQUIRE(fused.parameter_grads[i].defined());
    CHECK(close(fused.parameter_grads[i], layers.parameter_grads[i], 1e-4, 1e-5));
  }
  for (size_t i = 0; i < fused.buffers.size(); ++i) {
    CAPTURE(i);
    CHECK(close(fused.buffers[i], layers.buffers[i], 1e-5, 1e-6));
  }
}

// Runs the chain fused, then from the same starting state layer by layer: same masks, values,
// gradients, running statistics and batch counts.
void check_against_layers(models::Chain& chain, const torch::Tensor& input, int64_t outputs) {
  torch::manual_seed(3);
  const auto output_grad = torch::randn({input.size(0), outputs});
  std::vector<torch::Tensor> state;
  for (const auto& b : chain->buffers()) state.push_back(b.clone());
  const auto fused = train_once(chain, input, output_grad, true, 11);
  {
    torch::NoGradGuard no_grad;
    size_t i = 0;
    for (auto& b : chain->buffers()) b.copy_(state[i++]);
  }
  const auto one_by_one = train_once(chain, input, output_grad, false, 11);
  check_same(fused, one_by_one);
}

models::Chain cnn_head() {
  models::Chain chain;
  chain->add("flatten", nn::Flatten());
  chain->add("drop1", models::Dropout(0.25));
  chain->add("fc1", nn::Linear(nn::LinearOptions(32 * 7 * 7, 64).bias(false)));
  chain->add("norm_fc1", nn::BatchNorm1d(64));
  chain->add("act_fc1", nn::ReLU());
  chain->add("drop_out", models::Dropout(0.25));
  chain->add("logits", nn::Linear(64, 10));
  return chain;
}

}  // namespace

TEST_CASE("fused_head matches the quickstart CNN's head on channels-last maps, dropout masks included") {
  auto chain = cnn_head();
  // A mean far from zero and a non-trivial norm affine, so the batch statistics matter.
  torch::manual_seed(1);
  for (auto& p : chain->named_parameters())
    if (p.key().find("norm") != std::string::npos) p.value().data().uniform_(0.5, 1.5);
  const auto maps = (torch::randn({40, 32, 7, 7}) + 2.0).contiguous(torch::MemoryFormat::ChannelsLast);
  check_against_layers(chain, maps, 10);
  // The input's gradient keeps its channels-last layout (the stage before reads it so).
  auto fused = train_once(chain, maps, torch::randn({40, 10}), true, 5);
  CHECK(fused.input_grad.is_contiguous(torch::MemoryFormat::ChannelsLast));
}

TEST_CASE("fused_head matches a batch-norm MLP on a contiguous image batch") {
  models::Chain chain;
  chain->add("flatten", nn::Flatten());
  chain->add("fc1", nn::Linear(nn::LinearOptions(784, 256).bias(false)));
  chain->add("norm_fc1", nn::BatchNorm1d(256));
  chain->add("act_fc1", nn::ReLU());
  chain->add("fc2", nn::Linear(nn::LinearOptions(256, 128).bias(false)));
  chain->add("norm_fc2", nn::BatchNorm1d(128));
  chain->add("act_fc2", nn::ReLU());
  chain->add("logits", nn::Linear(128, 10));
  torch::manual_seed(2);
  check_against_layers(chain, torch::rand({64, 1, 28, 28}), 10);
}

TEST_CASE("fused_head matches a head without norms: biases, dropout after the activation") {
  models::Chain chain;
  chain->add("fc1", nn::Linear(50, 20));
  chain->add("act_fc1", nn::ReLU());
  chain->add("drop_out", models::Dropout(0.5));
  chain->add("logits", nn::Linear(20, 5));
  torch::manual_seed(4);
  check_against_layers(chain, torch::randn({9, 50}), 5);
}

TEST_CASE("fused_head matches the layers with a dropout on a plain batch, and on maps without one") {
  SECTION("dropout first, on a contiguous batch") {
    models::Chain chain;
    chain->add("drop1", models::Dropout(0.3));
    chain->add("fc1", nn::Linear(40, 16));
    chain->add("act_fc1", nn::ReLU());
    chain->add("logits", nn::Linear(16, 4));
    torch::manual_seed(12);
    check_against_layers(chain, torch::randn({48, 40}), 4);
  }
  SECTION("channels-last maps, no dropout") {
    models::Chain chain;
    chain->add("flatten", nn::Flatten());
    chain->add("fc1", nn::Linear(nn::LinearOptions(8 * 3 * 3, 12).bias(false)));
    chain->add("norm_fc1", nn::BatchNorm1d(12));
    chain->add("act_fc1", nn::ReLU());
    chain->add("logits", nn::Linear(12, 3));
    torch::manual_seed(13);
    check_against_layers(chain, torch::randn({40, 8, 3, 3}).contiguous(torch::MemoryFormat::ChannelsLast), 3);
  }
}

TEST_CASE("fused_head's products use the intra-op threads without changing the results") {
  const int saved = at::get_num_threads();
  at::set_num_threads(2);
  torch::manual_seed(7);
  auto chain = cnn_head();
  check_against_layers(chain, torch::randn({128, 32, 7, 7}).contiguous(torch::MemoryFormat::ChannelsLast), 10);
  at::set_num_threads(saved);
}

TEST_CASE("fused_head leaves an input and frozen layers that need no gradient without one") {
  auto chain = cnn_head();
  auto* fc1 = chain->layers()[2].second.ptr()->as<nn::LinearImpl>();
  fc1->weight.requires_grad_(false);
  const auto y = chain->forward(torch::randn({8, 32, 7, 7}));
  REQUIRE(ran_fused_head(y));
  y.sum().backward();
  CHECK_FALSE(fc1->weight.grad().defined());
  for (const auto& p : chain->parameters())
    if (p.requires_grad()) CHECK(p.grad().defined());
}

TEST_CASE("a NaN reaching the fused head stays visible in its output, as through the layers") {
  models::Chain chain;
  chain->add("fc1", nn::Linear(6, 4));
  chain->add("act_fc1", nn::ReLU());
  chain->add("logits", nn::Linear(4, 3));
  auto input = torch::randn({5, 6});
  input[2][1] = std::numeric_limits<float>::quiet_NaN();
  const auto y = chain->forward(input);
  REQUIRE(ran_fused_head(y));
  CHECK(torch::isnan(y[2]).all().item<bool>());
  CHECK_FALSE(torch::isnan(y[0]).any().item<bool>());
}

TEST_CASE("fusable_head covers only the layers it runs as they would run") {
  auto chain = cnn_head();
  const auto& layers = chain->layers();
  const auto maps = torch::randn({16, 32, 7, 7});
  CHECK(models::fusable_head(layers, 0, maps).layers == 7);
  CHECK(models::fusable_head(layers, 0, maps).units.size() == 2);

  SECTION("not in evaluation, on float64, on a single row or a layout other than the two") {
    CHECK(models::fusable_head(layers, 0, maps.to(torch::kFloat64)).layers == 0);
    CHECK(models::fusable_head(layers, 0, maps.narrow(0, 0, 1)).layers == 0);
    CHECK(models::fusable_head(layers, 0, maps.transpose(2, 3)).layers == 0);
    chain->eval();
    CHECK(models::fusable_head(layers, 0, maps).layers == 0);
  }
  SECTION("a norm without momentum (a cumulative average) ends the run before it") {
    auto* norm = layers[3].second.ptr()->as<nn::BatchNorm1dImpl>();
    norm->options.momentum(c10::nullopt);
    CHECK(models::fusable_head(layers, 0, maps).layers == 3);  // flatten, dropout, fc1
  }
  SECTION("an activation other than ReLU ends the run before it; a lone linear layer is no run") {
    models::Chain gelu;
    gelu->add("fc1", nn::Linear(10, 8));
    gelu->add("act", nn::GELU());
    gelu->add("logits", nn::Linear(8, 2));
    CHECK(models::fusable_head(gelu->layers(), 0, torch::randn({4, 10})).layers == 0);
    CHECK(models::fusable_head(gelu->layers(), 2, torch::randn({4, 8})).layers == 0);
  }
  SECTION("a trace runs the layers one by one") {
    models::LayerTrace trace;
    CHECK_FALSE(ran_fused_head(chain->trace(maps, &trace, "")));
    CHECK(trace.layers.size() == 7);
  }
}
