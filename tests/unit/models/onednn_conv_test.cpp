// onednn_conv2d: a channels-last Conv2d through oneDNN with cached primitives, against LibTorch's
// own convolution (values and every gradient), and where a chain uses it.
#include <catch2/catch.hpp>

#include <torch/torch.h>

#include <string>

#include "dltrain/models/network.h"
#include "dltrain/models/onednn_conv.h"

using namespace dltrain;
namespace nn = torch::nn;

namespace {

constexpr auto kChannelsLast = torch::MemoryFormat::ChannelsLast;

bool ran_onednn_conv(const torch::Tensor& y) {
  return y.grad_fn() && y.grad_fn()->name().find("OneDnnConv2d") != std::string::npos;
}

bool built_with_onednn() {
  nn::Conv2d probe(nn::Conv2dOptions(4, 4, 3).padding(1));
  return models::onednn_conv2d_applies(torch::randn({2, 4, 5, 5}).contiguous(kChannelsLast), *probe);
}

void check_against_libtorch(nn::Conv2d conv, const torch::Tensor& input) {
  REQUIRE(models::onednn_conv2d_applies(input, *conv));
  conv->zero_grad();
  const auto x_ref = input.detach().clone(kChannelsLast).requires_grad_(true);
  const auto y_ref = conv->forward(x_ref);
  const auto grad = torch::randn_like(y_ref);
  y_ref.backward(grad);
  const auto weight_grad = conv->weight.grad().clone();
  const auto bias_grad = conv->bias.defined() ? conv->bias.grad().clone() : torch::Tensor();
  conv->zero_grad();

  const auto x = input.detach().clone(kChannelsLast).requires_grad_(true);
  const auto y = models::onednn_conv2d(x, *conv);
  CHECK(ran_onednn_conv(y));
  CHECK(y.is_contiguous(kChannelsLast));
  CHECK(torch::allclose(y, y_ref, 1e-4, 1e-5));
  y.backward(grad);
  CHECK(x.grad().is_contiguous(kChannelsLast));
  CHECK(torch::allclose(x.grad(), x_ref.grad(), 1e-4, 1e-5));
  CHECK(conv->weight.grad().strides() == conv->weight.strides());  // the optimizer walks both alike
  CHECK(torch::allclose(conv->weight.grad(), weight_grad, 1e-3, 1e-4));
  if (bias_grad.defined()) CHECK(torch::allclose(conv->bias.grad(), bias_grad, 1e-3, 1e-4));
}

}  // namespace

TEST_CASE("onednn_conv2d matches LibTorch's convolution: values, input, weight and bias gradients") {
  if (!built_with_onednn()) {
    WARN("built without oneDNN (libdnnl-dev): LibTorch's convolution runs, nothing to compare");
    return;
  }
  torch::manual_seed(8);
  SECTION("the quickstart CNN's second conv, channels-last weight, no bias") {
    nn::Conv2d conv(nn::Conv2dOptions(16, 32, 3).padding(1).bias(false));
    conv->weight.set_data(conv->weight.contiguous(kChannelsLast));
    check_against_libtorch(conv, torch::randn({12, 16, 14, 14}).contiguous(kChannelsLast));
  }
  SECTION("stride 2, no padding, a bias and a contiguous weight") {
    nn::Conv2d conv(nn::Conv2dOptions(8, 24, 3).stride(2));
    check_against_libtorch(conv, torch::randn({5, 8, 11, 9}).contiguous(kChannelsLast));
  }
  SECTION("stride 1 without padding: the input gradient as a forward conv padded by 2") {
    nn::Conv2d conv(nn::Conv2dOptions(6, 10, 3));
    check_against_libtorch(conv, torch::randn({3, 6, 9, 8}).contiguous(kChannelsLast));
  }
  SECTION("a 1x1 conv and a 5x5 one with padding 2 on odd sizes") {
    nn::Conv2d pointwise(nn::Conv2dOptions(16, 8, 1));
    check_against_libtorch(pointwise, torch::randn({3, 16, 7, 7}).contiguous(kChannelsLast));
    nn::Conv2d wide(nn::Conv2dOptions(3, 6, 5).padding(2));
    check_against_libtorch(wide, torch::randn({2, 3, 9, 13}).contiguous(kChannelsLast));
  }
  SECTION("the same shape again reuses its primitives, a new batch size builds its own") {
    nn::Conv2d conv(nn::Conv2dOptions(4, 4, 3).padding(1));
    check_against_libtorch(conv, torch::randn({6, 4, 8, 8}).contiguous(kChannelsLast));
    check_against_libtorch(conv, torch::randn({6, 4, 8, 8}).contiguous(kChannelsLast));
    check_against_libtorch(conv, torch::randn({1, 4, 8, 8}).contiguous(kChannelsLast));
  }
}

TEST_CASE("onednn_conv2d applies only to what it runs as LibTorch would") {
  if (!built_with_onednn()) {
    WARN("built without oneDNN (libdnnl-dev): it never applies");
    CHECK_FALSE(models::onednn_conv2d_applies(torch::randn({2, 4, 5, 5}), *nn::Conv2d(4, 4, 3)));
    return;
  }
  const auto maps = torch::randn({2, 4, 6, 6}).contiguous(kChannelsLast);
  CHECK(models::onednn_conv2d_applies(maps, *nn::Conv2d(4, 8, 3)));
  CHECK_FALSE(models::onednn_conv2d_applies(torch::randn({2, 4, 6, 6}), *nn::Conv2d(4, 8, 3)));  // NCHW
  CHECK_FALSE(models::onednn_conv2d_applies(maps.to(torch::kFloat64), *nn::Conv2d(4, 8, 3)));
  CHECK_FALSE(models::onednn_conv2d_applies(maps, *nn::Conv2d(nn::Conv2dOptions(4, 8, 3).groups(2))));
  CHECK_FALSE(models::onednn_conv2d_applies(maps, *nn::Conv2d(nn::Conv2dOptions(4, 8, 3).dilation(2))));
  CHECK_FALSE(models::onednn_conv2d_applies(maps, *nn::Conv2d(nn::Conv2dOptions(4, 8, 3).padding(1).padding_mode(torch::kReflect))));
  CHECK_FALSE(models::onednn_conv2d_applies(maps, *nn::Conv2d(nn::Conv2dOptions(4, 8, 7))));  // larger than the map

  models::Chain chain;
  chain->add("conv", nn::Conv2d(nn::Conv2dOptions(4, 8, 3).padding(1)));
  CHECK(ran_onednn_conv(chain->forward(maps)));
  models::LayerTrace trace;
  CHECK_FALSE(ran_onednn_conv(chain->trace(maps, &trace, "")));
}
