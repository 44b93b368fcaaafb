// Class-weight formulas on hand-computed counts.
#include <catch2/catch.hpp>

#include "dltrain/core/error.h"
#include "dltrain/train/class_weights.h"

using namespace dltrain;

namespace {

config::ClassWeightsConfig of_type(const std::string& type) {
  config::ClassWeightsConfig c;
  c.type = type;
  return c;
}

}  // namespace

TEST_CASE("balanced weights are n / (k n_c)") {
  // n = 100, k = 3: 100/30, 100/90, 100/180.
  const auto w = train::class_weights_for(of_type("balanced"), {10, 30, 60});
  REQUIRE(w.size() == 3);
  CHECK(w[0] == Approx(10.0 / 3.0));
  CHECK(w[1] == Approx(10.0 / 9.0));
  CHECK(w[2] == Approx(5.0 / 9.0));
}

TEST_CASE("effective-number weights are (1 - beta) / (1 - beta^n_c), summing to the class count") {
  auto c = of_type("effective_number");
  c.beta = 0.9;
  // Raw: 0.1/0.1 = 1 and 0.1/(1 - 0.81) = 0.526316; scaled by 2 / 1.526316.
  const auto w = train::class_weights_for(c, {1, 2});
  REQUIRE(w.size() == 2);
  CHECK(w[0] == Approx(2.0 / (1.0 + 0.1 / 0.19)));
  CHECK(w[1] == Approx((0.1 / 0.19) * 2.0 / (1.0 + 0.1 / 0.19)));
  CHECK(w[0] + w[1] == Approx(2.0));
  c.beta = 0.0;  // no re-weighting
  CHECK(train::class_weights_for(c, {5, 500}) == std::vector<double>{1.0, 1.0});
}

TEST_CASE("a class absent from training gets weight 0 and does not skew the others") {
  const auto w = train::class_weights_for(of_type("balanced"), {50, 0, 50});
  CHECK(w == std::vector<double>{100.0 / 150.0, 0.0, 100.0 / 150.0});
  auto c = of_type("effective_number");
  const auto e = train::class_weights_for(c, {50, 0, 50});
  CHECK(e[1] == 0.0);
  CHECK(e[0] + e[2] == Approx(2.0));
}

TEST_CASE("given weights are used as written, and their count must match the classes") {
  auto c = of_type("given");
  c.values = {1.0, 4.0};
  CHECK(train::class_weights_for(c, {3, 9}) == std::vector<double>{1.0, 4.0});
  CHECK_THROWS_WITH(train::class_weights_for(c, {3, 9, 1}),
                    "loss.class_weights.values: expected 3 weights (one per class), got 2");
  CHECK(train::class_weights_for(of_type("none"), {3, 9}).empty());
}
