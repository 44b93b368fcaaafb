// mixup and cutmix: the targets carry exactly the share of each sample that the pixels carry,
// draws repeat for the same (seed, epoch, batch), and data.batch_augment.p is honoured.
#include <catch2/catch.hpp>
#include <torch/torch.h>

#include <set>

#include "dltrain/core/error.h"
#include "dltrain/data/batch_mixing.h"

using namespace dltrain;

namespace {

constexpr int64_t kBatch = 8;

// Sample i is an image filled with the value i and labelled i (one class per sample), so a
// mixed image's mean is the target-weighted mean of the labels it was made of.
std::pair<torch::Tensor, torch::Tensor> numbered_batch(std::vector<int64_t> shape = {1, 12, 12}) {
  std::vector<int64_t> full = {kBatch};
  full.insert(full.end(), shape.begin(), shape.end());
  auto labels = torch::arange(kBatch, torch::kLong);
  std::vector<int64_t> broadcast(full.size(), 1);
  broadcast[0] = kBatch;
  auto inputs = labels.to(torch::kFloat).view(broadcast).expand(full).contiguous();
  return {inputs, labels};
}

config::BatchAugmentConfig mixing(double mixup, double cutmix, double p = 1.0) {
  config::BatchAugmentConfig c;
  c.mixup = mixup;
  c.cutmix = cutmix;
  c.p = p;
  return c;
}

void check_targets_match_pixels(const data::MixedBatch& mixed) {
  REQUIRE(mixed.targets.sizes() == torch::IntArrayRef({kBatch, kBatch}));
  CHECK(torch::allclose(mixed.targets.sum(1), torch::ones({kBatch})));
  const auto label_mean = (mixed.targets * torch::arange(kBatch, torch::kFloat)).sum(1);
  const auto pixel_mean = mixed.inputs.flatten(1).mean(1);
  CHECK(torch::allclose(label_mean, pixel_mean, 1e-5, 1e-5));
  // Each sample keeps its own label's share; the larger share is its accuracy label.
  const auto own = mixed.targets.diagonal();
  CHECK(own.min().item<double>() == Approx(mixed.share).margin(1e-6));
  if (mixed.share > 0.5) CHECK(mixed.labels.equal(torch::arange(kBatch)));
  if (mixed.share < 0.5) CHECK(mixed.labels.equal(mixed.targets.argmax(1)));
}

}  // namespace

TEST_CASE("mixup blends inputs and one-hot targets with the same share") {
  const auto [inputs, labels] = numbered_batch();
  const data::BatchMixer mixer(mixing(0.4, 0.0), kBatch, {1, 12, 12}, 7);
  int mixed_batches = 0;
  for (int64_t batch = 0; batch < 20; ++batch) {
    const auto mixed = mixer.mix(inputs, labels, 1, batch);
    REQUIRE(mixed.op == "mixup");
    ++mixed_batches;
    check_targets_match_pixels(mixed);
    // Every pixel of a mixup image is the same blend.
    CHECK(torch::allclose(mixed.inputs.flatten(1).amax(1), mixed.inputs.flatten(1).amin(1)));
  }
  CHECK(mixed_batches == 20);
}

TEST_CASE("cutmix pastes one box of the partner and sets the share from the box's area") {
  const auto [inputs, labels] = numbered_batch({3, 16, 10});
  const data::BatchMixer mixer(mixing(0.0, 1.0), kBatch, {3, 16, 10}, 3);
  int pasted = 0;
  for (int64_t batch = 0; batch < 30; ++batch) {
    const auto mixed = mixer.mix(inputs, labels, 2, batch);
    REQUIRE(mixed.op == "cutmix");
    check_targets_match_pixels(mixed);
    // The changed pixels form one rectangle, the same in every channel and every sample.
    const auto changed = mixed.inputs.ne(inputs).any(1);  // [B, H, W]
    const auto rows = changed.any(2), cols = changed.any(1);
    const int64_t area = changed.sum().item<int64_t>();
    for (int64_t i = 0; i < kBatch; ++i) {
      const auto here = changed[i];
      if (here.sum().item<int64_t>() == 0) continue;  // its partner was itself
      CHECK(here.sum().item<int64_t>() == rows[i].sum().item<int64_t>() * cols[i].sum().item<int64_t>());
      CHECK(here.sum().item<double>() / (16 * 10) == Approx(1.0 - mixed.share));
    }
    if (area > 0) ++pasted;
  }
  CHECK(pasted > 20);
}

TEST_CASE("mixing repeats for the same seed, epoch and batch, and changes otherwise") {
  const auto [inputs, labels] = numbered_batch();
  const data::BatchMixer mixer(mixing(0.2, 1.0), kBatch, {1, 12, 12}, 11);
  const auto a = mixer.mix(inputs, labels, 3, 5), b = mixer.mix(inputs, labels, 3, 5);
  CHECK(a.op == b.op);
  CHECK(a.inputs.equal(b.inputs));
  CHECK(a.targets.equal(b.targets));
  std::set<std::string> ops;
  std::set<double> shares;
  for (int64_t batch = 0; batch < 40; ++batch) {
    const auto m = mixer.mix(inputs, labels, 3, batch);
    ops.insert(m.op);
    shares.insert(m.share);
  }
  CHECK(ops == std::set<std::string>{"mixup", "cutmix"});  // both on: each batch picks one
  CHECK(shares.size() > 20);  // cutmix shares are box areas, so some repeat
  const data::BatchMixer other_seed(mixing(0.2, 1.0), kBatch, {1, 12, 12}, 12);
  CHECK_FALSE(other_seed.mix(inputs, labels, 3, 5).targets.equal(a.targets));
}

TEST_CASE("data.batch_augment.p mixes that share of batches, off leaves batches untouched") {
  const auto [inputs, labels] = numbered_batch();
  const data::BatchMixer half(mixing(0.4, 0.0, 0.5), kBatch, {1, 12, 12}, 0);
  int mixed = 0;
  for (int64_t batch = 0; batch < 400; ++batch) {
    const auto m = half.mix(inputs, labels, 1, batch);
    if (m.op.empty()) {
      CHECK(m.targets.equal(labels));  // hard labels: the plain cross-entropy path
      CHECK(m.inputs.equal(inputs));
    } else {
      ++mixed;
    }
  }
  CHECK(mixed > 160);
  CHECK(mixed < 240);
  const data::BatchMixer off(mixing(0.0, 0.0), kBatch, {1, 12, 12}, 0);
  CHECK_FALSE(off.enabled());
  CHECK(off.mix(inputs, labels, 1, 0).op.empty());
}

TEST_CASE("cutmix on feature rows is a config error, mixup works on them") {
  CHECK_THROWS_AS(data::BatchMixer(mixing(0.0, 1.0), 3, {5}, 0), ConfigError);
  const auto [inputs, labels] = numbered_batch({5});
  const data::BatchMixer mixer(mixing(0.4, 0.0), kBatch, {5}, 0);
  check_targets_match_pixels(mixer.mix(inputs, labels, 1, 0));
}
