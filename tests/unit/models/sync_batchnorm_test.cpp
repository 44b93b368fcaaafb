// SyncBatchNorm with a single rank (the sum over ranks is the identity) must be BatchNorm:
// same outputs, input and parameter gradients, running statistics and state names. (Two real
// ranks against one process are tested through the binary, in cli_distributed_test.)
#include <catch2/catch.hpp>

#include <torch/torch.h>

#include "dltrain/models/layers.h"
#include "dltrain/models/sync_batchnorm.h"

using namespace dltrain::models;

namespace {

const RankSum kOneRank = [](std::vector<torch::Tensor>&) {};

}  // namespace

TEST_CASE("SyncBatchNorm on one rank trains and evaluates exactly like BatchNorm2d") {
  torch::manual_seed(4);
  const auto input = torch::randn({6, 3, 5, 5}) * 3 + 1;
  torch::nn::BatchNorm2d reference(3);
  SyncBatchNorm synced(3, kOneRank);
  {
    torch::NoGradGuard no_grad;
    reference->weight.copy_(torch::tensor({0.5f, 2.0f, -1.0f}));
    synced->weight.copy_(reference->weight);
  }
  const auto x1 = input.clone().requires_grad_(true), x2 = input.clone().requires_grad_(true);
  const auto target = torch::randn({6, 3, 5, 5});
  const auto y1 = reference->forward(x1), y2 = synced->forward(x2);
  CHECK(torch::allclose(y1, y2, 1e-5, 1e-5));
  (y1 * target).sum().backward();
  (y2 * target).sum().backward();
  CHECK(torch::allclose(x1.grad(), x2.grad(), 1e-4, 1e-5));
  CHECK(torch::allclose(reference->weight.grad(), synced->weight.grad(), 1e-4, 1e-5));
  CHECK(torch::allclose(reference->bias.grad(), synced->bias.grad(), 1e-4, 1e-5));
  CHECK(torch::allclose(reference->running_mean, synced->running_mean, 1e-6, 1e-6));
  CHECK(torch::allclose(reference->running_var, synced->running_var, 1e-5, 1e-6));
  CHECK(synced->num_batches_tracked.item<int64_t>() == 1);

  reference->eval();
  synced->eval();
  CHECK(torch::allclose(reference->forward(input), synced->forward(input), 1e-5, 1e-5));

  std::vector<std::string> names_reference, names_synced;
  for (const auto& item : reference->named_parameters()) names_reference.push_back(item.key());
  for (const auto& item : reference->named_buffers()) names_reference.push_back(item.key());
  for (const auto& item : synced->named_parameters()) names_synced.push_back(item.key());
  for (const auto& item : synced->named_buffers()) names_synced.push_back(item.key());
  CHECK(names_reference == names_synced);  // checkpoints load into either
}

TEST_CASE("inside a SyncBatchNormScope the builders make SyncBatchNorm, outside BatchNorm") {
  NormSpec batch;
  CHECK(make_norm2d(batch, 4).ptr()->name() != "dltrain::models::SyncBatchNormImpl");
  {
    SyncBatchNormScope scope(kOneRank);
    CHECK(make_norm2d(batch, 4).ptr()->as<SyncBatchNormImpl>() != nullptr);
    CHECK(make_norm1d(batch, 4).ptr()->as<SyncBatchNormImpl>() != nullptr);
  }
  CHECK(make_norm2d(batch, 4).ptr()->as<torch::nn::BatchNorm2dImpl>() != nullptr);
  CHECK(sync_batchnorm_sum() == nullptr);
}
