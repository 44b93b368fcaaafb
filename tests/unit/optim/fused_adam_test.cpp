// FusedAdam: torch::optim::Adam's trajectory in one pass per parameter, state that Adam itself
// can continue from, and Adam's own step where the one-pass update does not apply.
#include <catch2/catch.hpp>
#include <torch/torch.h>

#include <sstream>
#include <vector>

#include "dltrain/optim/optimizers/fused_adam.h"

using dltrain::optim::FusedAdam;

namespace {

// A linear weight, a channels-last conv weight and a bias, float32.
std::vector<torch::Tensor> parameters() {
  torch::manual_seed(11);
  return {torch::randn({70, 300}).requires_grad_(true),
          torch::randn({16, 8, 3, 3}).contiguous(torch::MemoryFormat::ChannelsLast).requires_grad_(true),
          torch::randn({70}).requires_grad_(true)};
}

std::vector<torch::Tensor> copies(const std::vector<torch::Tensor>& params) {
  std::vector<torch::Tensor> out;
  for (const auto& p : params) out.push_back(p.detach().clone().requires_grad_(true));
  return out;
}

// The same gradients (a function of the step and the parameter) for both optimizers.
void set_gradients(std::vector<torch::Tensor>& params, int step) {
  for (size_t i = 0; i < params.size(); ++i) {
    torch::manual_seed(100 * step + static_cast<int>(i));
    params[i].mutable_grad() = torch::randn_like(params[i]) + 0.1 * params[i].detach();
  }
}

void run(torch::optim::Optimizer& optimizer, std::vector<torch::Tensor>& params, int first, int last) {
  for (int step = first; step < last; ++step) {
    set_gradients(params, step);
    optimizer.step();
  }
}

bool all_close(const std::vector<torch::Tensor>& a, const std::vector<torch::Tensor>& b) {
  for (size_t i = 0; i < a.size(); ++i)
    if (!torch::allclose(a[i], b[i], 1e-5, 1e-6)) return false;
  return true;
}

// FusedAdam and torch's Adam from the same parameters and gradients for `steps` steps.
struct SideBySide {
  bool fused_first_step;  // whether FusedAdam's first step took its one-pass update
  std::vector<torch::Tensor> fused_params, reference_params;
};

SideBySide side_by_side(const torch::optim::AdamOptions& options, int steps) {
  SideBySide out{false, parameters(), {}};
  out.reference_params = copies(out.fused_params);
  FusedAdam fused(out.fused_params, options);
  torch::optim::Adam reference(out.reference_params, options);
  set_gradients(out.fused_params, 0);
  out.fused_first_step = fused.fusable();
  run(fused, out.fused_params, 0, steps);
  run(reference, out.reference_params, 0, steps);
  return out;
}

}  // namespace

TEST_CASE("FusedAdam follows torch::optim::Adam, weight decay and channels-last parameters included") {
  const auto adam = side_by_side(torch::optim::AdamOptions(3e-3).betas({0.85, 0.99}).weight_decay(0.01), 25);
  CHECK(adam.fused_first_step);
  CHECK(all_close(adam.fused_params, adam.reference_params));
  CHECK(adam.fused_params[1].is_contiguous(torch::MemoryFormat::ChannelsLast));
}

TEST_CASE("Adam continues from FusedAdam's saved state, and the other way round") {
  const auto options = torch::optim::AdamOptions(1e-2);
  auto fused_params = parameters(), reference_params = copies(fused_params);
  FusedAdam fused(fused_params, options);
  run(fused, fused_params, 0, 5);
  std::stringstream saved;
  {
    torch::serialize::OutputArchive archive;
    fused.save(archive);
    archive.save_to(saved);
  }
  for (size_t i = 0; i < fused_params.size(); ++i) reference_params[i].detach().copy_(fused_params[i].detach());
  torch::optim::Adam reference(reference_params, options);
  torch::serialize::InputArchive archive;
  archive.load_from(saved);
  reference.load(archive);
  run(fused, fused_params, 5, 10);
  run(reference, reference_params, 5, 10);
  CHECK(all_close(fused_params, reference_params));
}

TEST_CASE("FusedAdam leaves amsgrad and float64 parameters to Adam's own step") {
  const auto amsgrad = side_by_side(torch::optim::AdamOptions(1e-2).amsgrad(true), 5);
  CHECK_FALSE(amsgrad.fused_first_step);
  CHECK(all_close(amsgrad.fused_params, amsgrad.reference_params));

  std::vector<torch::Tensor> doubles{torch::randn({10}, torch::kFloat64).requires_grad_(true)};
  FusedAdam on_doubles(doubles, torch::optim::AdamOptions(1e-2));
  doubles[0].mutable_grad() = torch::ones_like(doubles[0]);
  CHECK_FALSE(on_doubles.fusable());
}

TEST_CASE("FusedAdam updates a channels-last weight whose gradient came back contiguous") {
  // A convolution's backward may return its weight gradient in the other layout.
  auto fused_params = parameters(), reference_params = copies(fused_params);
  const auto options = torch::optim::AdamOptions(1e-2);
  FusedAdam fused(fused_params, options);
  torch::optim::Adam reference(reference_params, options);
  for (int step = 0; step < 5; ++step) {
    set_gradients(fused_params, step);
    set_gradients(reference_params, step);
    fused_params[1].mutable_grad() = fused_params[1].grad().contiguous();
    REQUIRE(fused_params[1].grad().strides() != fused_params[1].strides());
    CHECK(fused.fusable());
    fused.step();
    reference.step();
  }
  CHECK(all_close(fused_params, reference_params));
}
