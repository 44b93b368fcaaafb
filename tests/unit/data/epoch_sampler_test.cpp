// Samplers: every-sample epochs are permutations, weighted draws hit their class shares within
// statistical bounds, undersampling caps each class, and ranks get disjoint equal shares.
#include <catch2/catch.hpp>

#include <algorithm>
#include <cmath>
#include <numeric>
#include <set>

#include "dltrain/core/error.h"
#include "dltrain/data/class_balance.h"
#include "dltrain/data/epoch_sampler.h"
#include "dltrain/data/seeded_shuffle.h"

using namespace dltrain;
using namespace dltrain::data;

namespace {

// 1000 of class 0, 100 of class 1, 10 of class 2, interleaved.
std::vector<int64_t> skewed_labels() {
  std::vector<int64_t> labels;
  for (int i = 0; i < 1000; ++i) labels.push_back(0);
  for (int i = 0; i < 100; ++i) labels.push_back(1);
  for (int i = 0; i < 10; ++i) labels.push_back(2);
  seeded_shuffle(labels, 3);
  return labels;
}

std::vector<int64_t> labels_at(const std::vector<int64_t>& labels, const std::vector<int64_t>& indices) {
  std::vector<int64_t> out;
  for (int64_t i : indices) out.push_back(labels[size_t(i)]);
  return out;
}

SamplerOptions of_type(const std::string& type) {
  SamplerOptions options;
  options.type = type;
  options.shuffle = true;
  return options;
}

}  // namespace

TEST_CASE("the every-sample sampler gives a seeded permutation per epoch, as the loader always has") {
  const auto labels = skewed_labels();
  EpochSampler sampler(labels, of_type("all"), 11);
  auto order = sampler.indices(2);
  std::vector<int64_t> expected(labels.size());
  std::iota(expected.begin(), expected.end(), 0);
  seeded_shuffle(expected, mix_seed(11, 2));
  CHECK(order == expected);
  CHECK(sampler.indices(3) != order);
  CHECK(sampler.size() == int64_t(labels.size()));

  SamplerOptions ordered = of_type("all");
  ordered.shuffle = false;
  auto in_order = EpochSampler(labels, ordered, 11).indices(5);
  CHECK(std::is_sorted(in_order.begin(), in_order.end()));
}

TEST_CASE("weighted draws balance the classes within statistical bounds") {
  const auto labels = skewed_labels();
  SamplerOptions options = of_type("weighted");
  options.samples_per_epoch = 30000;
  EpochSampler sampler(labels, options, 5);
  const auto counts = class_counts(labels_at(labels, sampler.indices(1)), 3);
  // Binomial(30000, 1/3): standard deviation ~82; 5 sigma is ~410.
  for (int64_t n : counts) CHECK(std::abs(double(n) - 10000.0) < 410.0);
  // The 10 rare samples are all drawn, each about 1000 times.
  std::set<int64_t> rare;
  for (int64_t i : sampler.indices(1)) {
    if (labels[size_t(i)] == 2) rare.insert(i);
  }
  CHECK(rare.size() == 10);
}

TEST_CASE("weighted draws follow a given target distribution") {
  const auto labels = skewed_labels();
  SamplerOptions options = of_type("weighted");
  options.target = {1.0, 1.0, 2.0};  // normalized to 1/4, 1/4, 1/2
  options.samples_per_epoch = 40000;
  const auto counts = class_counts(labels_at(labels, EpochSampler(labels, options, 9).indices(0)), 3);
  CHECK(std::abs(double(counts[0]) - 10000.0) < 5 * std::sqrt(40000 * 0.25 * 0.75));
  CHECK(std::abs(double(counts[2]) - 20000.0) < 5 * std::sqrt(40000 * 0.5 * 0.5));
}

TEST_CASE("weighted draws default to one epoch of the split's size and are seeded") {
  const auto labels = skewed_labels();
  EpochSampler a(labels, of_type("weighted"), 1), b(labels, of_type("weighted"), 1);
  CHECK(a.size() == int64_t(labels.size()));
  CHECK(a.indices(4) == b.indices(4));
  CHECK(a.indices(4) != a.indices(5));
}

TEST_CASE("a target with the wrong number of shares names data.sampler.target") {
  SamplerOptions options = of_type("weighted");
  options.target = {1.0, 2.0};
  CHECK_THROWS_WITH(EpochSampler(skewed_labels(), options, 0),
                    "data.sampler.target: expected 3 shares (one per class), got 2");
  options.target = {0.0, 0.0, 0.0};
  CHECK_THROWS_AS(EpochSampler(skewed_labels(), options, 0), ConfigError);
}

TEST_CASE("undersampling cuts every class to the smallest class's count, a fresh pick each epoch") {
  const auto labels = skewed_labels();
  EpochSampler sampler(labels, of_type("undersample"), 2);
  const auto epoch1 = sampler.indices(1);
  CHECK(class_counts(labels_at(labels, epoch1), 3) == std::vector<int64_t>{10, 10, 10});
  CHECK(sampler.size() == 30);
  CHECK(std::set<int64_t>(epoch1.begin(), epoch1.end()).size() == 30);  // no repeats
  auto a = epoch1, b = sampler.indices(2);
  std::sort(a.begin(), a.end());
  std::sort(b.begin(), b.end());
  CHECK(a != b);  // a different majority pick
}

TEST_CASE("undersampling with a cap keeps classes below it whole") {
  const auto labels = skewed_labels();
  SamplerOptions options = of_type("undersample");
  options.cap = 50;
  EpochSampler sampler(labels, options, 2);
  CHECK(class_counts(labels_at(labels, sampler.indices(0)), 3) == std::vector<int64_t>{50, 50, 10});
  CHECK(sampler.size() == 110);
}

TEST_CASE("ranks take disjoint, equally long shares that together cover the epoch") {
  const auto labels = skewed_labels();  // 1110 samples: 3 ranks of 370
  for (const std::string type : {"all", "undersample"}) {
    std::vector<int64_t> together;
    for (int64_t rank = 0; rank < 3; ++rank) {
      SamplerOptions options = of_type(type);
      options.rank = rank;
      options.world_size = 3;
      EpochSampler sampler(labels, options, 4);
      const auto share = sampler.indices(1);
      CHECK(int64_t(share.size()) == sampler.size());
      together.insert(together.end(), share.begin(), share.end());
    }
    const auto whole = EpochSampler(labels, of_type(type), 4).indices(1);
    std::sort(together.begin(), together.end());
    auto expected = whole;
    std::sort(expected.begin(), expected.end());
    CHECK(together == expected);
  }
}

TEST_CASE("an epoch that does not divide among ranks is padded so every rank takes the same steps") {
  std::vector<int64_t> labels(10, 0);
  std::vector<int64_t> sizes;
  std::set<int64_t> seen;
  for (int64_t rank = 0; rank < 4; ++rank) {
    SamplerOptions options = of_type("all");
    options.rank = rank;
    options.world_size = 4;
    const auto share = EpochSampler(labels, options, 1).indices(0);
    sizes.push_back(int64_t(share.size()));
    seen.insert(share.begin(), share.end());
  }
  CHECK(sizes == std::vector<int64_t>{3, 3, 3, 3});
  CHECK(seen.size() == 10);
}

TEST_CASE("unpadded shares (evaluation) visit every sample exactly once over the ranks") {
  std::vector<int64_t> labels(10, 0);
  std::vector<int64_t> sizes, all;
  for (int64_t rank = 0; rank < 4; ++rank) {
    SamplerOptions options = of_type("all");
    options.shuffle = false;
    options.pad = false;
    options.rank = rank;
    options.world_size = 4;
    const EpochSampler sampler(labels, options, 1);
    const auto share = sampler.indices(0);
    CHECK(int64_t(share.size()) == sampler.size());
    sizes.push_back(int64_t(share.size()));
    all.insert(all.end(), share.begin(), share.end());
  }
  CHECK(sizes == std::vector<int64_t>{3, 3, 2, 2});
  std::sort(all.begin(), all.end());
  std::vector<int64_t> expected(10);
  std::iota(expected.begin(), expected.end(), 0);
  CHECK(all == expected);
}
