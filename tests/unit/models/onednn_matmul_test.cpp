// onednn_matmul: matrix products through oneDNN against LibTorch's, for the operand layouts the
// linear layers pass (transposed views included), and what it declines.
#include <catch2/catch.hpp>

#include <torch/torch.h>

#include "dltrain/models/onednn_matmul.h"

using namespace dltrain;

namespace {

bool onednn_runs_products() {
  const auto out = torch::empty({2, 2});
  return models::onednn_matmul(out, torch::ones({2, 3}), torch::ones({3, 2}));
}

}  // namespace

TEST_CASE("onednn_matmul matches LibTorch's product for plain and transposed operands, with bias") {
  if (!onednn_runs_products()) {
    WARN("built without oneDNN (libdnnl-dev): the BLAS path runs, nothing to compare");
    return;
  }
  torch::manual_seed(12);
  const auto input = torch::randn({97, 300});  // a linear layer's batch, rows not a round number
  const auto weight = torch::randn({70, 300});
  const auto grad = torch::randn({97, 70});
  const auto bias = torch::randn({70});

  SECTION("forward: input @ weight^T + bias") {
    const auto out = torch::empty({97, 70});
    REQUIRE(models::onednn_matmul(out, input, weight.t(), bias));
    CHECK(torch::allclose(out, torch::addmm(bias, input, weight.t()), 1e-4, 1e-4));
  }
  SECTION("input gradient: grad @ weight") {
    const auto out = torch::empty({97, 300});
    REQUIRE(models::onednn_matmul(out, grad, weight));
    CHECK(torch::allclose(out, torch::mm(grad, weight), 1e-4, 1e-4));
  }
  SECTION("weight gradient: grad^T @ input") {
    const auto out = torch::empty({70, 300});
    REQUIRE(models::onednn_matmul(out, grad.t(), input));
    CHECK(torch::allclose(out, torch::mm(grad.t(), input), 1e-4, 1e-4));
  }
  SECTION("a second call of a shape reuses its primitive and still writes the new product") {
    const auto out = torch::empty({97, 70});
    REQUIRE(models::onednn_matmul(out, input, weight.t()));
    REQUIRE(models::onednn_matmul(out, input * 2, weight.t()));
    CHECK(torch::allclose(out, torch::mm(input * 2, weight.t()), 1e-4, 1e-4));
  }
}

TEST_CASE("onednn_matmul declines what it cannot take, writing nothing") {
  const auto left = torch::randn({8, 5});
  const auto right = torch::randn({5, 6});
  auto out = torch::full({8, 6}, 7.0f);
  CHECK_FALSE(models::onednn_matmul(out, left.to(torch::kFloat64), right));
  CHECK_FALSE(models::onednn_matmul(out, left, torch::randn({4, 6})));                  // inner sizes differ
  CHECK_FALSE(models::onednn_matmul(out, left, right, torch::randn({5})));             // bias of the wrong size
  CHECK_FALSE(models::onednn_matmul(torch::empty({6, 8}).t(), left, right));           // out not contiguous
  CHECK_FALSE(models::onednn_matmul(out, torch::randn({8, 5, 1}).squeeze(2).unsqueeze(0), right));  // not 2-D
  CHECK(torch::equal(out, torch::full({8, 6}, 7.0f)));
}
