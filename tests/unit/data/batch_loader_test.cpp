// The loader's batches depend only on (seed, epoch): identical for 0, 1 and 2 workers,
// normalized as configured, covering every sample once per epoch.
#include <catch2/catch.hpp>
#include <torch/torch.h>

#include <ATen/Parallel.h>

#include <set>

#include "dltrain/config/experiment_config.h"
#include "dltrain/core/error.h"
#include "dltrain/data/batch_loader.h"

using namespace dltrain;

namespace {

data::ImageSet numbered_images(int64_t count) {
  data::ImageSet set;
  set.images = torch::arange(count, torch::kInt64).remainder(256).to(torch::kUInt8).view({count, 1, 1, 1})
                   .expand({count, 1, 2, 2}).contiguous();
  set.labels = torch::arange(count, torch::kInt64);
  return set;
}

std::vector<torch::Tensor> epoch_targets(data::BatchLoader& loader, int64_t epoch) {
  std::vector<torch::Tensor> out;
  loader.start_epoch(epoch);
  while (auto batch = loader.next()) out.push_back(batch->targets.clone());
  return out;
}

data::LoaderOptions options_with(int64_t workers) {
  data::LoaderOptions options;
  options.batch_size = 16;
  options.sampler.shuffle = true;
  options.workers = workers;
  options.prefetch = 2;
  options.seed = 42;
  return options;
}

}  // namespace

TEST_CASE("batches are identical with 0, 1 and 2 workers") {
  auto set = numbered_images(100);
  data::BatchLoader inline_loader(set, options_with(0)), one(set, options_with(1)), two(set, options_with(2));
  for (int64_t epoch : {1, 2}) {
    auto a = epoch_targets(inline_loader, epoch), b = epoch_targets(one, epoch), c = epoch_targets(two, epoch);
    REQUIRE(a.size() == 7);
    for (size_t i = 0; i < a.size(); ++i) {
      CHECK(torch::equal(a[i], b[i]));
      CHECK(torch::equal(a[i], c[i]));
    }
  }
}

TEST_CASE("a batch the training thread builds with the intra-op threads is the one a worker builds") {
  auto set = numbered_images(300);
  auto options = options_with(0);
  options.batch_size = 128;  // shared between the threads (workers: 0), built whole by a worker
  const int saved = at::get_num_threads();
  std::vector<torch::Tensor> shared, alone;
  for (const int threads : {2, 1}) {
    at::set_num_threads(threads);
    options.workers = threads == 2 ? 0 : 1;
    data::BatchLoader loader(set, options);
    loader.start_epoch(1);
    while (auto batch = loader.next()) {
      (threads == 2 ? shared : alone).push_back(batch->inputs.clone());
      (threads == 2 ? shared : alone).push_back(batch->targets.clone());
    }
  }
  at::set_num_threads(saved);
  REQUIRE(shared.size() == 6);
  REQUIRE(alone.size() == shared.size());
  for (size_t i = 0; i < shared.size(); ++i) CHECK(torch::equal(shared[i], alone[i]));
}

TEST_CASE("every sample appears once per epoch, in a different order each epoch") {
  auto set = numbered_images(50);
  data::BatchLoader loader(set, options_with(2));
  auto first = torch::cat(epoch_targets(loader, 1));
  auto second = torch::cat(epoch_targets(loader, 2));
  CHECK(std::get<0>(first.sort()).equal(torch::arange(50, torch::kInt64)));
  CHECK_FALSE(first.equal(second));
}

TEST_CASE("the same seed gives the same order, another seed another order") {
  auto set = numbered_images(64);
  auto options = options_with(1);
  data::BatchLoader a(set, options), b(set, options);
  options.seed = 7;
  data::BatchLoader c(set, options);
  CHECK(torch::cat(epoch_targets(a, 3)).equal(torch::cat(epoch_targets(b, 3))));
  CHECK_FALSE(torch::cat(epoch_targets(a, 3)).equal(torch::cat(epoch_targets(c, 3))));
}

TEST_CASE("pixels are scaled to 0..1, then normalized per channel") {
  auto set = numbered_images(3);
  data::LoaderOptions options;
  options.batch_size = 3;
  options.mean = {0.5};
  options.std = {0.25};
  data::BatchLoader loader(set, options);
  loader.start_epoch(1);
  auto batch = loader.next();
  REQUIRE(batch);
  CHECK(batch->inputs.sizes() == torch::IntArrayRef({3, 1, 2, 2}));
  CHECK(batch->inputs[2][0][1][1].item<float>() == Approx((2 / 255.0 - 0.5) / 0.25));
  CHECK_FALSE(loader.next());
}

TEST_CASE("drop_last drops the short final batch, otherwise it is kept") {
  auto set = numbered_images(20);
  auto options = options_with(0);
  data::BatchLoader keep(set, options);
  CHECK(keep.batches_per_epoch() == 2);
  options.drop_last = true;
  data::BatchLoader drop(set, options);
  CHECK(drop.batches_per_epoch() == 1);
  CHECK(drop.samples_per_epoch() == 16);
}

TEST_CASE("normalize statistics of the wrong length are a config error") {
  auto set = numbered_images(4);
  data::LoaderOptions options;
  options.mean = {0.1, 0.2};
  options.std = {0.3, 0.3};
  CHECK_THROWS_AS(data::BatchLoader(set, options), ConfigError);
}

TEST_CASE("the loader delivers exactly the sampler's epoch: an undersampled or oversampled epoch of another size") {
  // 40 samples of class 0 and 8 of class 1; undersampling keeps 8 + 8, weighted draws 30.
  auto set = numbered_images(48);
  set.labels = (torch::arange(48, torch::kInt64) >= 40).to(torch::kInt64);
  for (const int64_t workers : {0, 2}) {
    auto options = options_with(workers);
    options.sampler.type = "undersample";
    data::BatchLoader under(set, options);
    CHECK(under.samples_per_epoch() == 16);
    int64_t delivered = 0, rare = 0;
    for (const auto& targets : epoch_targets(under, 1)) {
      delivered += targets.size(0);
      rare += targets.sum().item<int64_t>();
    }
    CHECK(delivered == 16);
    CHECK(rare == 8);

    options.sampler.type = "weighted";
    options.sampler.samples_per_epoch = 30;
    data::BatchLoader weighted(set, options);
    delivered = 0;
    for (const auto& targets : epoch_targets(weighted, 1)) delivered += targets.size(0);
    CHECK(delivered == 30);
  }
}

TEST_CASE("batches are page-locked exactly when they feed a CUDA device") {
  const auto set = numbered_images(40);
  config::DataConfig data;
  data.workers = 1;
  const bool cuda = torch::cuda::is_available();  // a CPU build of LibTorch has no pinned allocator
  CHECK_FALSE(data::loader_options_for(data, 0, true).pin_memory);
  data::BatchLoader loader(set, data::loader_options_for(data, 0, true, cuda));
  loader.start_epoch(1);
  const auto batch = loader.next();
  REQUIRE(batch);
  CHECK(batch->inputs.is_pinned() == cuda);
  CHECK(batch->targets.is_pinned() == cuda);
}
