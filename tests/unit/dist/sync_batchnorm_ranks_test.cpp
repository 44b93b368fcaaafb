// SyncBatchNorm over two real ranks (Gloo, threads of this process) against one BatchNorm2d over
// both ranks' samples: the outputs, the input gradients of the whole batch, the parameter
// gradients (averaged as GradientSync averages them) and the running statistics agree.
#include <catch2/catch.hpp>

#include <torch/torch.h>

#include "dltrain/models/sync_batchnorm.h"
#include "two_ranks.h"

using namespace dltrain;

TEST_CASE("SyncBatchNorm on two ranks equals BatchNorm on the concatenated batch") {
  torch::manual_seed(9);
  const auto input = torch::randn({8, 3, 4, 4}) * 2 + 0.5;
  const auto upstream = torch::randn({8, 3, 4, 4});

  torch::nn::BatchNorm2d reference(3);
  const auto whole = input.clone().requires_grad_(true);
  // The mean of the two halves' mean losses is the whole batch's mean loss.
  const auto expected = reference->forward(whole);
  (expected * upstream).mean().backward();

  run_two_ranks([&](dist::ProcessGroup& group) {
    const int64_t r = group.rank();
    models::SyncBatchNorm synced(3, [&group](std::vector<torch::Tensor>& sums) { group.allreduce_sum(sums); });
    const auto half = input.narrow(0, 4 * r, 4).clone().requires_grad_(true);
    const auto out = synced->forward(half);
    CHECK(torch::allclose(out, expected.narrow(0, 4 * r, 4).detach(), 1e-5, 1e-5));
    (out * upstream.narrow(0, 4 * r, 4)).mean().backward();
    // Each rank's loss is the mean over its half: the whole batch's gradient is half of it.
    CHECK(torch::allclose(half.grad() / 2, whole.grad().narrow(0, 4 * r, 4), 1e-4, 1e-6));
    std::vector<torch::Tensor> grads = {synced->weight.grad().clone(), synced->bias.grad().clone()};
    group.allreduce_sum(grads);
    CHECK(torch::allclose(grads[0] / 2, reference->weight.grad(), 1e-4, 1e-6));
    CHECK(torch::allclose(grads[1] / 2, reference->bias.grad(), 1e-4, 1e-6));
    CHECK(torch::allclose(synced->running_mean, reference->running_mean, 1e-5, 1e-6));
    CHECK(torch::allclose(synced->running_var, reference->running_var, 1e-5, 1e-6));
  });
}
