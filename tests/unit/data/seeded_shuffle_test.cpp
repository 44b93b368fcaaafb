// Seeded shuffles are permutations, reproducible, and spread evenly.
#include <catch2/catch.hpp>

#include <algorithm>
#include <numeric>

#include "dltrain/data/seeded_shuffle.h"

using namespace dltrain::data;

TEST_CASE("a seeded shuffle is a permutation that the seed reproduces") {
  std::vector<int64_t> a(100), b(100), c(100);
  std::iota(a.begin(), a.end(), 0);
  b = a;
  c = a;
  seeded_shuffle(a, 5);
  seeded_shuffle(b, 5);
  seeded_shuffle(c, 6);
  CHECK(a == b);
  CHECK(a != c);
  std::sort(c.begin(), c.end());
  CHECK(c.front() == 0);
  CHECK(c.back() == 99);
  CHECK(std::adjacent_find(c.begin(), c.end()) == c.end());
}

TEST_CASE("uniform_below stays in range and is roughly uniform") {
  std::mt19937_64 engine(1);
  std::vector<int> counts(6, 0);
  for (int i = 0; i < 60000; ++i) ++counts[uniform_below(engine, 6)];
  for (int count : counts) CHECK(count == Approx(10000).margin(500));
}

TEST_CASE("mixed seeds differ across streams and seeds") {
  CHECK(mix_seed(0, 1) != mix_seed(0, 2));
  CHECK(mix_seed(0, 1) != mix_seed(1, 1));
  CHECK(mix_seed(3, 4) == mix_seed(3, 4));
}
