// The loader with a per-sample transform: the transform's seed depends only on (seed, epoch,
// position), so batches are identical for any number of workers and change between epochs;
// evaluation-shaped outputs and float feature rows pass through as well.
#include <catch2/catch.hpp>
#include <torch/torch.h>

#include "dltrain/data/batch_loader.h"

using namespace dltrain;

namespace {

// Crops the top-left 2x2 and adds a seed-dependent offset, so every draw is visible in the output.
class SeededShift : public data::SampleTransform {
 public:
  std::vector<int64_t> output_shape(const std::vector<int64_t>& in) const override { return {in[0], 2, 2}; }
  void apply(const uint8_t* in, const std::vector<int64_t>& shape, uint8_t* out, uint64_t seed) const override {
    for (int64_t y = 0; y < 2; ++y)
      for (int64_t x = 0; x < 2; ++x) out[y * 2 + x] = static_cast<uint8_t>(in[y * shape[2] + x] + seed % 50);
  }
};

data::ImageSet shifted_images(int64_t count) {
  data::ImageSet set;
  set.images = torch::arange(count, torch::kInt64).remainder(100).to(torch::kUInt8).view({count, 1, 1, 1})
                   .expand({count, 1, 4, 4}).contiguous();
  set.labels = torch::arange(count, torch::kInt64);
  set.transform = std::make_shared<SeededShift>();
  return set;
}

data::LoaderOptions options_with(int64_t workers) {
  data::LoaderOptions options;
  options.batch_size = 8;
  options.sampler.shuffle = true;
  options.workers = workers;
  options.prefetch = 2;
  options.seed = 3;
  return options;
}

torch::Tensor epoch_inputs(data::BatchLoader& loader, int64_t epoch) {
  std::vector<torch::Tensor> parts;
  loader.start_epoch(epoch);
  while (auto batch = loader.next()) parts.push_back(batch->inputs);
  return torch::cat(parts);
}

}  // namespace

TEST_CASE("augmented batches are identical with 0, 1 and 2 workers") {
  auto set = shifted_images(50);
  data::BatchLoader inline_loader(set, options_with(0)), one(set, options_with(1)), two(set, options_with(2));
  for (int64_t epoch : {1, 2}) {
    auto a = epoch_inputs(inline_loader, epoch);
    CHECK(a.sizes() == torch::IntArrayRef({50, 1, 2, 2}));
    CHECK(torch::equal(a, epoch_inputs(one, epoch)));
    CHECK(torch::equal(a, epoch_inputs(two, epoch)));
  }
}

TEST_CASE("the transform draws differently in every epoch") {
  auto set = shifted_images(50);
  auto options = options_with(2);
  options.sampler.shuffle = false;  // same order, so only the draws can differ
  data::BatchLoader loader(set, options);
  CHECK_FALSE(torch::equal(epoch_inputs(loader, 1), epoch_inputs(loader, 2)));
  CHECK(torch::equal(epoch_inputs(loader, 1), epoch_inputs(loader, 1)));
}

TEST_CASE("float feature rows reach the batch unchanged") {
  data::ImageSet set;
  set.images = torch::arange(30, torch::kFloat32).view({10, 3}) / 7;
  set.labels = torch::zeros({10}, torch::kInt64);
  data::LoaderOptions options;
  options.batch_size = 4;
  options.mean = {0.5};  // image normalization does not apply to tables
  data::BatchLoader loader(set, options);
  CHECK(torch::equal(epoch_inputs(loader, 1), set.images));
}
