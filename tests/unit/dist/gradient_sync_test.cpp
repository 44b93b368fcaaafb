// Gradient averaging between two ranks: means of the gradients, undefined ones as zeros,
// small buckets, frozen parameters left alone, and flags OR-ed across ranks.
#include <catch2/catch.hpp>

#include <torch/torch.h>

#include "dltrain/dist/gradient_sync.h"
#include "two_ranks.h"

using namespace dltrain;

namespace {

struct TinyNet : torch::nn::Module {
  TinyNet() {
    a = register_module("a", torch::nn::Linear(3, 4));
    b = register_module("b", torch::nn::Linear(4, 2));
    bn = register_module("bn", torch::nn::BatchNorm1d(2));
  }
  torch::nn::Linear a{nullptr}, b{nullptr};
  torch::nn::BatchNorm1d bn{nullptr};
};

}  // namespace

TEST_CASE("broadcast_parameters gives every rank rank 0's parameters and buffers") {
  run_two_ranks([](dist::ProcessGroup& group) {
    TinyNet net;
    {
      torch::NoGradGuard no_grad;
      for (auto& param : net.parameters()) param.fill_(float(group.rank()) + 1);  // 1 on rank 0, 2 on rank 1
      net.bn->running_mean.fill_(float(group.rank()) + 5);
    }
    dist::broadcast_parameters(group, net);
    for (const auto& param : net.parameters()) CHECK(torch::equal(param, torch::ones_like(param)));
    CHECK(torch::equal(net.bn->running_mean, torch::full({2}, 5.0f)));
  });
}

TEST_CASE("average leaves each trainable gradient at its mean over the ranks, in buckets of any size") {
  for (const double bucket_mb : {25.0, 1e-5}) {  // one bucket; one tensor per bucket
    run_two_ranks([bucket_mb](dist::ProcessGroup& group) {
      TinyNet net;
      const float r = float(group.rank());
      net.a->weight.mutable_grad() = torch::full({4, 3}, 2 * r + 1);  // 1 and 3 -> 2
      net.a->bias.mutable_grad() = torch::full({4}, r);               // 0 and 1 -> 0.5
      if (group.rank() == 1) net.b->weight.mutable_grad() = torch::full({2, 4}, 4.0f);  // undefined on 0 -> 2
      net.b->bias.set_requires_grad(false);  // frozen: not synchronized, stays undefined
      dist::GradientSync sync(group, net, bucket_mb);
      const uint32_t flags = sync.average(group.rank() == 0 ? 0b01u : 0b100u);
      CHECK(flags == 0b101u);
      CHECK(torch::allclose(net.a->weight.grad(), torch::full({4, 3}, 2.0f)));
      CHECK(torch::allclose(net.a->bias.grad(), torch::full({4}, 0.5f)));
      REQUIRE(net.b->weight.grad().defined());
      CHECK(torch::allclose(net.b->weight.grad(), torch::full({2, 4}, 2.0f)));
      CHECK_FALSE(net.b->bias.grad().defined());
      CHECK(sync.seconds() > 0.0);
    });
  }
}
