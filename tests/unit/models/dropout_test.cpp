// dltrain's CPU dropout: the right keep rate and scale, a mask that depends only on the seed
// (not on the thread count), the config seed deciding it, and dropout's gradient.
#include <catch2/catch.hpp>

#include <ATen/Parallel.h>
#include <torch/torch.h>

#include "dltrain/models/dropout.h"

using namespace dltrain::models;

TEST_CASE("the dropout mask keeps the asked fraction, scaled by 1 / keep, with no pattern") {
  const auto mask = dropout_mask({1000, 1000}, 0.75, 12345);
  const auto kept = mask.ne(0);
  // 1e6 Bernoulli(0.75) draws: the standard deviation of the fraction is 4.3e-4.
  CHECK(kept.to(torch::kDouble).mean().item<double>() == Approx(0.75).margin(0.003));
  CHECK(mask.masked_select(kept).eq(1.0f / 0.75f).all().item<bool>());
  // Neighbouring elements and rows are independent: each row and column keeps ~75% too, and
  // an element's neighbour is kept equally often whether or not the element is.
  const auto rows = kept.to(torch::kDouble).mean(1);
  CHECK(rows.min().item<double>() > 0.69);
  CHECK(rows.max().item<double>() < 0.81);
  const auto left = kept.slice(1, 0, 999).to(torch::kDouble), right = kept.slice(1, 1, 1000).to(torch::kDouble);
  const double both = (left * right).mean().item<double>();
  CHECK(both == Approx(0.75 * 0.75).margin(0.004));
}

TEST_CASE("the dropout mask is a function of the seed alone, whatever the thread count") {
  const int threads = at::get_num_threads();
  at::set_num_threads(1);
  const auto one_thread = dropout_mask({300, 700}, 0.5, 99);
  at::set_num_threads(2);
  const auto two_threads = dropout_mask({300, 700}, 0.5, 99);
  at::set_num_threads(threads);
  CHECK(torch::equal(one_thread, two_threads));
  CHECK_FALSE(torch::equal(one_thread, dropout_mask({300, 700}, 0.5, 100)));
  // Seeds differing only in their high half give different masks too.
  CHECK_FALSE(torch::equal(dropout_mask({1000}, 0.5, 1), dropout_mask({1000}, 0.5, 1 + (uint64_t{1} << 32))));
}

TEST_CASE("Dropout follows the torch seed, passes eval input through and backpropagates through its mask") {
  Dropout dropout(0.3);
  const auto input = torch::randn({64, 50});
  torch::manual_seed(7);
  const auto first = dropout->forward(input);
  torch::manual_seed(7);
  CHECK(torch::equal(first, dropout->forward(input)));
  CHECK_FALSE(torch::equal(first, dropout->forward(input)));  // the next draw is a new mask

  const auto x = input.clone().requires_grad_(true);
  const auto y = dropout->forward(x);
  y.sum().backward();
  // d(sum(x * mask))/dx is the mask: 0 where dropped, 1 / 0.7 where kept, and y = x * mask.
  const auto mask = x.grad();
  CHECK(torch::allclose(y, input * mask));
  CHECK(mask.eq(0).logical_or(mask.sub(1.0 / 0.7).abs().lt(1e-6)).all().item<bool>());

  dropout->eval();
  CHECK(torch::equal(dropout->forward(input), input));
  CHECK(Dropout(0.0)->forward(input).equal(input));
  CHECK(Dropout(1.0)->forward(input).eq(0).all().item<bool>());
}

TEST_CASE("apply_dropout_mask multiplies by the mask without storing it, in Flatten's order for channels-last maps") {
  const uint64_t seed = 4242;
  SECTION("plain rows, into a new matrix and in place") {
    const auto input = torch::randn({70, 300});
    const auto expected = input * dropout_mask({70, 300}, 0.6, seed);
    auto out = torch::empty_like(input);
    apply_dropout_mask(input.data_ptr<float>(), out.data_ptr<float>(), 70, 300, 1, 0.6, seed);
    CHECK(torch::equal(out, expected));
    auto in_place = input.clone();
    apply_dropout_mask(in_place.data_ptr<float>(), in_place.data_ptr<float>(), 70, 300, 1, 0.6, seed);
    CHECK(torch::equal(in_place, expected));
  }
  SECTION("channels-last maps get the mask of their flattened (C, H, W) order, on any thread count") {
    const auto maps = torch::randn({9, 32, 7, 5}).contiguous(torch::MemoryFormat::ChannelsLast);
    const auto flat_expected = maps.flatten(1) * dropout_mask({9, 32 * 7 * 5}, 0.75, seed);
    const int threads = at::get_num_threads();
    for (const int count : {1, 2}) {
      at::set_num_threads(count);
      auto out = torch::empty_like(maps);  // channels-last too
      apply_dropout_mask(maps.data_ptr<float>(), out.data_ptr<float>(), 9, 32 * 7 * 5, 32, 0.75, seed);
      CHECK(torch::equal(out.flatten(1), flat_expected));
    }
    at::set_num_threads(threads);
  }
}
