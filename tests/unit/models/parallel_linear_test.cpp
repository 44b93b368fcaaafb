// parallel_linear: nn::Linear's values and gradients with the products shared by the intra-op
// threads, used by a chain only where the work is worth sharing.
#include <catch2/catch.hpp>

#include <ATen/Parallel.h>
#include <torch/torch.h>

#include <string>

#include "dltrain/models/network.h"
#include "dltrain/models/parallel_linear.h"

using namespace dltrain;

namespace {

struct IntraOpThreads {
  explicit IntraOpThreads(int count) : saved(at::get_num_threads()) { at::set_num_threads(count); }
  ~IntraOpThreads() { at::set_num_threads(saved); }
  int saved;
};

bool ran_parallel_linear(const torch::Tensor& y) {
  return y.grad_fn() && y.grad_fn()->name().find("ParallelLinear") != std::string::npos;
}

}  // namespace

TEST_CASE("parallel_linear matches nn::Linear, with and without bias, gradients included") {
  IntraOpThreads two(2);
  torch::manual_seed(6);
  for (const bool bias : {true, false}) {
    CAPTURE(bias);
    torch::nn::Linear layer(torch::nn::LinearOptions(300, 70).bias(bias));
    const auto input = torch::randn({97, 300});  // rows do not split evenly
    REQUIRE(models::parallel_linear_applies(input, *layer));
    const auto grad = torch::randn({97, 70});

    const auto x_ref = input.clone().requires_grad_(true);
    layer->forward(x_ref).backward(grad);
    const auto weight_grad = layer->weight.grad().clone();
    const auto bias_grad = bias ? layer->bias.grad().clone() : torch::Tensor();
    layer->zero_grad();

    const auto x = input.clone().requires_grad_(true);
    const auto y = models::parallel_linear(x, *layer);
    CHECK(ran_parallel_linear(y));
    CHECK(torch::allclose(y, layer->forward(input), 1e-5, 1e-5));
    y.backward(grad);
    CHECK(torch::allclose(x.grad(), x_ref.grad(), 1e-5, 1e-5));
    CHECK(torch::allclose(layer->weight.grad(), weight_grad, 1e-4, 1e-4));
    if (bias) CHECK(torch::allclose(layer->bias.grad(), bias_grad, 1e-4, 1e-4));
  }
}

TEST_CASE("a chain shares a linear layer's products only where the work is worth it") {
  IntraOpThreads two(2);
  models::Chain chain;
  chain->add("fc", torch::nn::Linear(512, 64));
  CHECK(ran_parallel_linear(chain->forward(torch::randn({128, 512}))));
  CHECK_FALSE(ran_parallel_linear(chain->forward(torch::randn({4, 512}))));  // too few rows
  models::LayerTrace trace;
  CHECK_FALSE(ran_parallel_linear(chain->trace(torch::randn({128, 512}), &trace, "")));
  CHECK_FALSE(models::parallel_linear_applies(torch::randn({128, 512}, torch::kFloat64), *torch::nn::Linear(512, 64)));
  IntraOpThreads one(1);
  CHECK_FALSE(ran_parallel_linear(chain->forward(torch::randn({128, 512}))));
}

TEST_CASE("parallel_linear runs under inference mode, as evaluation calls it") {
  IntraOpThreads two(2);
  torch::nn::Linear layer(512, 64);
  const auto input = torch::randn({128, 512});
  c10::InferenceMode inference;
  REQUIRE(models::parallel_linear_applies(input, *layer));
  CHECK(torch::allclose(models::parallel_linear(input, *layer), layer->forward(input), 1e-5, 1e-5));
}
