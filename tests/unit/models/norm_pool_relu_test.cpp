// The fused batch norm + 2x2 max-pool + ReLU: the values, gradients and running statistics of
// the three LibTorch layers it replaces, the same on any thread count, and used by a chain (and
// so by a cnn) exactly when its conditions hold.
#include <catch2/catch.hpp>

#include <ATen/Parallel.h>
#include <torch/torch.h>

#include <limits>
#include <set>
#include <string>
#include <vector>

#include "dltrain/config/experiment_config.h"
#include "dltrain/models/memory_format.h"
#include "dltrain/models/model_builder.h"
#include "dltrain/models/network.h"
#include "dltrain/models/norm_pool_relu.h"
#include "dltrain/models/norm_pool_relu_kernels.h"

using namespace dltrain;
using models::norm_pool_relu;

namespace {

// A norm with weights of both signs (a negative one turns the pool's max into the input's min)
// and a bias that puts about half the values below zero.
torch::nn::BatchNorm2d norm_with_both_signs(int64_t channels) {
  torch::nn::BatchNorm2d norm(channels);
  torch::NoGradGuard no_grad;
  norm->weight.copy_(torch::linspace(-1.5, 1.5, channels));
  norm->weight[channels / 2] = 0.7f;  // not zero: a zero weight makes every input a max
  norm->bias.copy_(torch::linspace(-0.5, 0.5, channels));
  return norm;
}

torch::nn::BatchNorm2d copy_of(const torch::nn::BatchNorm2d& norm) {
  auto copy = std::dynamic_pointer_cast<torch::nn::BatchNorm2dImpl>(norm->clone());
  return torch::nn::BatchNorm2d(copy);
}

// Input with a mean far from zero (the statistics must not cancel) and repeated values (ties in
// a window go to the first, as max_pool2d does).
torch::Tensor ties_and_offset(std::vector<int64_t> sizes) { return (torch::randn(sizes) * 4).round() / 4 + 3; }

torch::Tensor channels_last_input(std::vector<int64_t> sizes) {
  return ties_and_offset(std::move(sizes)).contiguous(torch::MemoryFormat::ChannelsLast);
}

struct Outcome {
  torch::Tensor output, input_grad, weight_grad, bias_grad;
};

template <class Forward>
Outcome run(const torch::Tensor& input, torch::nn::BatchNorm2d& norm, const torch::Tensor& grad, Forward forward) {
  const auto x = input.detach().clone().requires_grad_(true);
  auto y = forward(x, norm);
  y.backward(grad);
  return {y.detach(), x.grad(), norm->weight.grad().clone(), norm->bias.grad().clone()};
}

torch::Tensor layers_one_by_one(const torch::Tensor& x, torch::nn::BatchNorm2d& norm) {
  return torch::relu(torch::max_pool2d(norm->forward(x), 2));
}

torch::Tensor fused(const torch::Tensor& x, torch::nn::BatchNorm2d& norm) { return norm_pool_relu(x, *norm); }

}  // namespace

TEST_CASE("norm_pool_relu matches BatchNorm2d, MaxPool2d(2) and ReLU, gradients and running statistics included") {
  torch::manual_seed(3);
  for (const int64_t channels : {8, 16, 32, 64}) {
    CAPTURE(channels);
    const auto input = channels_last_input({6, channels, 10, 8});
    auto reference_norm = norm_with_both_signs(channels);
    auto norm = copy_of(reference_norm);
    REQUIRE(models::norm_pool_relu_applies(input, *norm));
    const auto grad = torch::randn({6, channels, 5, 4});
    const Outcome expected = run(input, reference_norm, grad, layers_one_by_one);
    const Outcome actual = run(input, norm, grad, fused);

    CHECK(actual.output.is_contiguous(torch::MemoryFormat::ChannelsLast));
    CHECK(torch::allclose(actual.output, expected.output, 1e-5, 1e-5));
    CHECK(actual.output.eq(0).any().item<bool>());  // the ReLU cut something
    CHECK(torch::allclose(actual.input_grad, expected.input_grad, 1e-4, 1e-5));
    CHECK(torch::allclose(actual.weight_grad, expected.weight_grad, 1e-4, 1e-4));
    CHECK(torch::allclose(actual.bias_grad, expected.bias_grad, 1e-4, 1e-4));
    CHECK(torch::allclose(norm->running_mean, reference_norm->running_mean, 1e-5, 1e-6));
    CHECK(torch::allclose(norm->running_var, reference_norm->running_var, 1e-5, 1e-6));
    CHECK(norm->num_batches_tracked.item<int64_t>() == 1);
  }
}

TEST_CASE("norm_pool_relu gives the same bits on one thread and on two") {
  torch::manual_seed(4);
  const auto input = channels_last_input({16, 16, 12, 12});
  const auto grad = torch::randn({16, 16, 6, 6});
  const int threads = at::get_num_threads();
  auto norm_one = norm_with_both_signs(16), norm_two = norm_with_both_signs(16);
  at::set_num_threads(1);
  const Outcome one = run(input, norm_one, grad, fused);
  at::set_num_threads(2);
  const Outcome two = run(input, norm_two, grad, fused);
  at::set_num_threads(threads);
  CHECK(torch::equal(one.output, two.output));
  CHECK(torch::equal(one.input_grad, two.input_grad));
  CHECK(torch::equal(one.weight_grad, two.weight_grad));
  CHECK(torch::equal(norm_one->running_var, norm_two->running_var));
}

TEST_CASE("norm_pool_relu keeps a NaN in the input visible in the output") {
  auto input = channels_last_input({2, 8, 4, 4});
  input[1][3][2][2] = std::numeric_limits<float>::quiet_NaN();
  auto norm = norm_with_both_signs(8);
  CHECK(norm_pool_relu(input, *norm).isnan().any().item<bool>());
}

TEST_CASE("norm_pool_relu applies only to what it computes like LibTorch") {
  auto norm = norm_with_both_signs(16);
  const auto input = channels_last_input({4, 16, 8, 8});
  CHECK(models::norm_pool_relu_applies(input, *norm));
  CHECK_FALSE(models::norm_pool_relu_applies(input.contiguous(), *norm));                       // NCHW
  CHECK_FALSE(models::norm_pool_relu_applies(channels_last_input({4, 16, 7, 8}), *norm));      // odd height
  CHECK_FALSE(models::norm_pool_relu_applies(input.to(torch::kFloat64), *norm));                // double
  auto twelve = norm_with_both_signs(12);
  CHECK_FALSE(models::norm_pool_relu_applies(channels_last_input({4, 12, 8, 8}), *twelve));  // 12 channels
  norm->eval();
  CHECK_FALSE(models::norm_pool_relu_applies(input, *norm));  // evaluation uses the running statistics
  norm->train();
  torch::nn::BatchNorm2d cumulative(torch::nn::BatchNorm2dOptions(16).momentum(c10::nullopt));
  CHECK_FALSE(models::norm_pool_relu_applies(input, *cumulative));  // a cumulative average
}

namespace {

const std::string kFusedNode = "NormPoolRelu";

bool ran_fused(const torch::Tensor& y) { return y.grad_fn() && y.grad_fn()->name().find(kFusedNode) != std::string::npos; }

// How many fused operators the autograd graph behind `y` holds.
int fused_nodes_behind(const torch::Tensor& y) {
  std::vector<torch::autograd::Node*> pending{y.grad_fn().get()};
  std::set<torch::autograd::Node*> seen;
  int count = 0;
  while (!pending.empty()) {
    auto* node = pending.back();
    pending.pop_back();
    if (node == nullptr || !seen.insert(node).second) continue;
    if (node->name().find(kFusedNode) != std::string::npos) ++count;
    for (const auto& edge : node->next_edges()) pending.push_back(edge.function.get());
  }
  return count;
}

}  // namespace

TEST_CASE("a chain runs batch norm, 2x2 max-pool and ReLU as one operator in training, in either order") {
  const auto input = channels_last_input({4, 16, 8, 8});
  for (const bool pool_first : {true, false}) {
    CAPTURE(pool_first);
    models::Chain chain;
    chain->add("norm", norm_with_both_signs(16));
    if (pool_first) chain->add("pool", torch::nn::MaxPool2d(2));
    chain->add("act", torch::nn::ReLU());
    if (!pool_first) chain->add("pool", torch::nn::MaxPool2d(2));
    CHECK(ran_fused(chain->forward(input)));
    // A trace reports every layer, so it runs them one by one.
    models::LayerTrace trace;
    CHECK_FALSE(ran_fused(chain->trace(input, &trace, "")));
    CHECK(trace.layers.size() == 3);
    chain->eval();
    CHECK_FALSE(ran_fused(chain->forward(input)));
  }
  models::Chain three_by_three;  // not the 2x2 pool the operator implements
  three_by_three->add("norm", norm_with_both_signs(16));
  three_by_three->add("pool", torch::nn::MaxPool2d(torch::nn::MaxPool2dOptions(2).stride(1)));
  three_by_three->add("act", torch::nn::ReLU());
  CHECK_FALSE(ran_fused(three_by_three->forward(input)));
}

TEST_CASE("a channels-last cnn trains through the fused operator to the values and gradients of its layers") {
  config::ModelConfig config;
  config.type = "cnn";
  config.channels = {16, 32};
  config.hidden = {16};
  config.dropout = 0.0;
  auto fused_model = models::build_model(config, {{1, 16, 16}, 5});
  auto layered_model = models::build_model(config, {{1, 16, 16}, 5});
  torch::NoGradGuard copying;
  for (size_t i = 0; i < fused_model->parameters().size(); ++i)
    layered_model->parameters()[i].copy_(fused_model->parameters()[i]);
  for (auto* model : {&fused_model, &layered_model}) models::apply_memory_format(**model, torch::MemoryFormat::ChannelsLast);
  const auto images = torch::randn({8, 1, 16, 16});
  const auto labels = torch::randint(0, 5, {8});

  torch::AutoGradMode grad_on(true);
  const auto output = fused_model->forward(images);
  models::LayerTrace trace;  // the traced pass runs every layer on its own
  const auto reference = layered_model->trace(images, &trace, "");
  CHECK(fused_nodes_behind(output) == 2);  // one per stage
  CHECK(fused_nodes_behind(reference) == 0);
  CHECK(torch::allclose(output, reference, 1e-4, 1e-5));
  torch::cross_entropy_loss(output, labels).backward();
  torch::cross_entropy_loss(reference, labels).backward();
  const auto named = fused_model->named_parameters();
  const auto layered = layered_model->named_parameters();
  for (const auto& item : named) {
    CAPTURE(item.key());
    CHECK(torch::allclose(item.value().grad(), layered[item.key()].grad(), 1e-3, 1e-5));
  }
  CHECK(torch::allclose(fused_model->named_buffers()["norm1_1.running_var"],
                        layered_model->named_buffers()["norm1_1.running_var"], 1e-5, 1e-6));
}

namespace {

// One image through a set of loops, with tensors standing in for the operator's buffers.
struct LoopResults {
  std::vector<double> first, second, sum_dy, sum_dy_xmu;
  torch::Tensor largest, positions, out, input_grad;
  std::vector<double> conv_first, conv_second, conv_grad;
  torch::Tensor conv_largest, conv_positions;
};

LoopResults run_loops(const models::NormPoolReluKernels& kernels, const torch::Tensor& image, const torch::Tensor& grad,
                      const torch::Tensor& affine) {
  const int64_t height = image.size(0), width = image.size(1), channels = image.size(2);
  const int64_t outputs = height / 2 * width / 2;
  LoopResults r;
  for (auto* sums : {&r.first, &r.second, &r.sum_dy, &r.sum_dy_xmu, &r.conv_first, &r.conv_second})
    sums->assign(channels, 0.0);
  r.largest = torch::empty({outputs, channels});
  r.positions = torch::empty({outputs, channels}, torch::kUInt8);
  r.out = torch::empty({outputs, channels});
  r.input_grad = torch::empty_like(image);
  auto smallest = torch::empty({outputs, channels});
  const float* x = image.data_ptr<float>();
  const float* a = affine.data_ptr<float>();  // rows: shift_in, scale, shift, mean, p, q, r
  kernels.scan_image(x, height, width, a, r.first.data(), r.second.data(), r.largest.data_ptr<float>(),
                     smallest.data_ptr<float>(), r.positions.data_ptr<uint8_t>());
  kernels.pool_from_extremes(r.largest.data_ptr<float>(), smallest.data_ptr<float>(), r.positions.data_ptr<uint8_t>(),
                             outputs, a + channels, a + 2 * channels, r.out.data_ptr<float>());
  kernels.add_gradient_sums(grad.data_ptr<float>(), r.largest.data_ptr<float>(), r.positions.data_ptr<uint8_t>(),
                            outputs, a + 3 * channels, r.sum_dy.data(), r.sum_dy_xmu.data());
  for (int64_t row = 0; row < height / 2; ++row) {
    const int64_t in_at = 2 * row * width * channels, out_at = row * (width / 2) * channels;
    kernels.input_gradient_rows(x + in_at, r.input_grad.data_ptr<float>() + in_at, width, width / 2,
                                grad.data_ptr<float>() + out_at, r.positions.data_ptr<uint8_t>() + out_at,
                                a + 4 * channels, a + 5 * channels, a + 6 * channels);
  }
  // The first-stage loops, on the image's first channel as a one-channel image and the affine
  // rows as a [9][C] conv weight.
  const auto grey = image.select(2, 0).contiguous();
  std::vector<float> padded(static_cast<size_t>((height + 2) * (width + 2)));
  auto smallest_conv = torch::empty({outputs, channels});
  r.conv_grad.assign(9 * channels, 0.0);
  r.conv_largest = torch::empty({outputs, channels});
  r.conv_positions = torch::empty({outputs, channels}, torch::kUInt8);
  const auto taps = torch::cat({affine, affine}).narrow(0, 0, 9).contiguous();
  kernels.conv_scan_image(grey.data_ptr<float>(), height, width, taps.data_ptr<float>(), a, r.conv_first.data(),
                          r.conv_second.data(), r.conv_largest.data_ptr<float>(), smallest_conv.data_ptr<float>(),
                          r.conv_positions.data_ptr<uint8_t>(), padded.data());
  kernels.conv_weight_gradient(grey.data_ptr<float>(), height, width, taps.data_ptr<float>(), grad.data_ptr<float>(),
                               r.positions.data_ptr<uint8_t>(), a + 4 * channels, a + 5 * channels, a + 6 * channels,
                               r.conv_grad.data(), padded.data());
  return r;
}

bool close(const std::vector<double>& a, const std::vector<double>& b) {
  return torch::allclose(torch::tensor(a), torch::tensor(b), 1e-5, 1e-4);
}

}  // namespace

TEST_CASE("the AVX2 and AVX-512 loops compute what the baseline loops do, and the widest this CPU runs is chosen") {
  torch::manual_seed(5);
  for (const int64_t channels : {8, 16, 32, 64, 128, 256}) {
    CAPTURE(channels);
    const auto* baseline = models::baseline_norm_pool_relu_kernels(channels);
    REQUIRE(baseline != nullptr);
    const auto* avx2 = models::avx2_norm_pool_relu_kernels(channels);
    const auto* avx512 = models::avx512_norm_pool_relu_kernels(channels);
    CHECK(models::norm_pool_relu_kernels(channels) == (avx512 ? avx512 : avx2 ? avx2 : baseline));
    if (channels % 16 != 0) CHECK(avx512 == nullptr);  // 16 lanes never straddle two pixels
    // Builds not made for, or not run by, this CPU are null: the baseline is then the one used.
    for (const auto* wide_kernels : {avx2, avx512}) {
      if (wide_kernels == nullptr) continue;
      const auto image = ties_and_offset({6, 4, channels});  // [H, W, C]: one channels-last image
      const auto grad = torch::randn({3 * 2, channels});
      auto affine = torch::randn({7, channels});
      affine[0] = image[0][0];  // the statistics' shift: the first pixel
      const LoopResults wide = run_loops(*wide_kernels, image, grad, affine);
      const LoopResults narrow = run_loops(*baseline, image, grad, affine);
      CHECK(close(wide.first, narrow.first));
      CHECK(close(wide.second, narrow.second));
      CHECK(torch::equal(wide.largest, narrow.largest));
      CHECK(torch::equal(wide.positions, narrow.positions));  // FMA aside, the same comparisons
      CHECK(torch::allclose(wide.out, narrow.out, 1e-5, 1e-6));
      CHECK(close(wide.sum_dy, narrow.sum_dy));
      CHECK(close(wide.sum_dy_xmu, narrow.sum_dy_xmu));
      CHECK(torch::allclose(wide.input_grad, narrow.input_grad, 1e-5, 1e-6));
      CHECK(close(wide.conv_first, narrow.conv_first));
      CHECK(close(wide.conv_second, narrow.conv_second));
      CHECK(torch::allclose(wide.conv_largest, narrow.conv_largest, 1e-5, 1e-6));
      CHECK(close(wide.conv_grad, narrow.conv_grad));
    }
  }
  CHECK(models::norm_pool_relu_kernels(12) == nullptr);
}

namespace {

torch::nn::Conv2d first_conv(int64_t channels, bool bias = false) {
  torch::nn::Conv2d conv(torch::nn::Conv2dOptions(1, channels, 3).padding(1).bias(bias));
  models::apply_memory_format(*conv, torch::MemoryFormat::ChannelsLast);
  return conv;
}

struct StageOutcome {
  torch::Tensor output, conv_grad, weight_grad, bias_grad;
};

StageOutcome run_stage(const torch::Tensor& image, torch::nn::Conv2d& conv, torch::nn::BatchNorm2d& norm,
                       const torch::Tensor& grad, bool fused_stage) {
  auto y = fused_stage ? models::conv_norm_pool_relu(image, *conv, *norm)
                       : torch::relu(torch::max_pool2d(norm->forward(conv->forward(image)), 2));
  y.backward(grad);
  StageOutcome out{y.detach(), conv->weight.grad().clone(), norm->weight.grad().clone(), norm->bias.grad().clone()};
  conv->weight.mutable_grad().reset();
  return out;
}

}  // namespace

TEST_CASE("conv_norm_pool_relu matches a one-channel Conv2d followed by the three layers") {
  torch::manual_seed(8);
  for (const int64_t channels : {8, 16, 32}) {
    for (const auto& size : {std::vector<int64_t>{10, 8}, std::vector<int64_t>{2, 2}}) {
      CAPTURE(channels, size);
      const auto image = torch::rand({5, 1, size[0], size[1]}) * 2 + 1;  // a mean far from zero
      auto conv = first_conv(channels);
      auto reference_conv = first_conv(channels);
      {
        torch::NoGradGuard no_grad;
        reference_conv->weight.copy_(conv->weight);
      }
      auto reference_norm = norm_with_both_signs(channels);
      auto norm = copy_of(reference_norm);
      REQUIRE(models::conv_norm_pool_relu_applies(image, *conv, *norm));
      const auto grad = torch::randn({5, channels, size[0] / 2, size[1] / 2});
      const StageOutcome expected = run_stage(image, reference_conv, reference_norm, grad, false);
      const StageOutcome actual = run_stage(image, conv, norm, grad, true);
      CHECK(torch::allclose(actual.output, expected.output, 1e-4, 1e-5));
      CHECK(torch::allclose(actual.conv_grad, expected.conv_grad, 1e-3, 1e-4));
      CHECK(torch::allclose(actual.weight_grad, expected.weight_grad, 1e-3, 1e-4));
      CHECK(torch::allclose(actual.bias_grad, expected.bias_grad, 1e-4, 1e-4));
      CHECK(torch::allclose(norm->running_mean, reference_norm->running_mean, 1e-5, 1e-6));
      CHECK(torch::allclose(norm->running_var, reference_norm->running_var, 1e-4, 1e-6));
    }
  }
}

TEST_CASE("conv_norm_pool_relu's weight gradient is the same on one thread and on two") {
  torch::manual_seed(9);
  const auto image = torch::rand({32, 1, 12, 12});
  const auto grad = torch::randn({32, 16, 6, 6});
  auto conv = first_conv(16);
  auto norm_one = norm_with_both_signs(16), norm_two = norm_with_both_signs(16);
  const int threads = at::get_num_threads();
  at::set_num_threads(1);
  const StageOutcome one = run_stage(image, conv, norm_one, grad, true);
  at::set_num_threads(2);
  const StageOutcome two = run_stage(image, conv, norm_two, grad, true);
  at::set_num_threads(threads);
  CHECK(torch::equal(one.output, two.output));
  CHECK(torch::equal(one.conv_grad, two.conv_grad));
}

TEST_CASE("a chain fuses a grey image's whole first stage only when the conv and image allow it") {
  const auto image = torch::rand({4, 1, 8, 8});
  auto stage = [](torch::nn::Conv2d conv) {
    models::Chain chain;
    chain->add("conv", conv);
    chain->add("norm", norm_with_both_signs(16));
    chain->add("pool", torch::nn::MaxPool2d(2));
    chain->add("act", torch::nn::ReLU());
    return chain;
  };
  auto fused_kind = [](const torch::Tensor& y) { return y.grad_fn() ? y.grad_fn()->name() : std::string(); };
  auto chain = stage(first_conv(16));
  CHECK(fused_kind(chain->forward(image)).find("ConvNormPoolRelu") != std::string::npos);
  // An image that needs its gradient (a saliency map) keeps the conv as a layer: only the tail fuses.
  const auto with_grad = fused_kind(chain->forward(image.clone().requires_grad_(true)));
  CHECK(with_grad.find("NormPoolRelu") != std::string::npos);
  CHECK(with_grad.find("ConvNormPoolRelu") == std::string::npos);
  CHECK(fused_kind(stage(first_conv(16, /*bias=*/true))->forward(image)).find("ConvNormPoolRelu") == std::string::npos);
  torch::nn::Conv2d strided(torch::nn::Conv2dOptions(1, 16, 3).padding(1).stride(2).bias(false));
  CHECK_FALSE(models::conv_norm_pool_relu_applies(image, *strided, *norm_with_both_signs(16)));
  torch::nn::Conv2d two_channels(torch::nn::Conv2dOptions(2, 16, 3).padding(1).bias(false));
  CHECK_FALSE(models::conv_norm_pool_relu_applies(torch::rand({4, 2, 8, 8}), *two_channels, *norm_with_both_signs(16)));
  models::LayerTrace trace;
  chain->trace(image, &trace, "");
  CHECK(trace.layers.size() == 4);
}
