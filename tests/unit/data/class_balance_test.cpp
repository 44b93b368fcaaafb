// Long-tailed subsets follow the exponential profile exactly and are reproducible.
#include <catch2/catch.hpp>

#include <algorithm>

#include "dltrain/data/class_balance.h"

using namespace dltrain::data;

namespace {

std::vector<int64_t> balanced_labels(int64_t classes, int64_t per_class) {
  std::vector<int64_t> labels;
  for (int64_t i = 0; i < classes * per_class; ++i) labels.push_back(i % classes);
  return labels;
}

}  // namespace

TEST_CASE("class counts count every label") {
  CHECK(class_counts({0, 2, 2, 1, 2}, 4) == std::vector<int64_t>{1, 1, 3, 0});
}

TEST_CASE("the long-tail profile falls geometrically from 1 to 1 over the ratio") {
  const auto f = long_tail_fractions(10, 100.0);
  REQUIRE(f.size() == 10);
  CHECK(f.front() == 1.0);
  CHECK(f.back() == Approx(0.01));
  for (size_t c = 1; c < f.size(); ++c) CHECK(f[c] / f[c - 1] == Approx(std::pow(100.0, -1.0 / 9.0)));
  CHECK(long_tail_fractions(1, 100.0) == std::vector<double>{1.0});
  CHECK(long_tail_fractions(3, 1.0) == std::vector<double>{1.0, 1.0, 1.0});
}

TEST_CASE("a class-fraction subset keeps the rounded share of each class, at least one") {
  const auto labels = balanced_labels(3, 200);
  const auto kept = class_fraction_subset(labels, {1.0, 0.25, 0.001}, 7);
  std::vector<int64_t> kept_labels;
  for (int64_t i : kept) kept_labels.push_back(labels[size_t(i)]);
  CHECK(class_counts(kept_labels, 3) == std::vector<int64_t>{200, 50, 1});
  CHECK(std::is_sorted(kept.begin(), kept.end()));
  CHECK(std::adjacent_find(kept.begin(), kept.end()) == kept.end());
}

TEST_CASE("a class-fraction subset is reproducible from its seed and changes with it") {
  const auto labels = balanced_labels(4, 100);
  const std::vector<double> fractions = {0.5, 0.5, 0.5, 0.5};
  CHECK(class_fraction_subset(labels, fractions, 1) == class_fraction_subset(labels, fractions, 1));
  CHECK(class_fraction_subset(labels, fractions, 1) != class_fraction_subset(labels, fractions, 2));
}
