// Early stopping on scripted metric sequences: the stop epoch, the best epoch, min_delta,
// non-finite values, and its counters surviving a save/load round trip.
#include <catch2/catch.hpp>
#include <torch/torch.h>

#include <cmath>
#include <sstream>
#include <vector>

#include "dltrain/train/early_stopping.h"

using namespace dltrain;

namespace {

config::EarlyStoppingConfig stopping(const char* mode, int64_t patience, double min_delta = 0.0) {
  config::EarlyStoppingConfig c;
  c.monitor = "val/loss";
  c.mode = mode;
  c.patience = patience;
  c.min_delta = min_delta;
  return c;
}

// Feeds the values epoch by epoch; returns the epoch at which it asked to stop (0: never).
int64_t stop_epoch(train::EarlyStopping& es, const std::vector<double>& values) {
  for (size_t i = 0; i < values.size(); ++i) {
    es.observe(static_cast<int64_t>(i + 1), values[i]);
    if (es.should_stop()) return static_cast<int64_t>(i + 1);
  }
  return 0;
}

}  // namespace

TEST_CASE("min mode stops after patience epochs without a new minimum") {
  train::EarlyStopping es(stopping("min", 2));
  CHECK(stop_epoch(es, {1.0, 0.8, 0.7, 0.75, 0.72, 0.6}) == 5);
  CHECK(es.best_epoch() == 3);
  CHECK(es.best_value() == 0.7);
  CHECK_THAT(es.reason(), Catch::Contains("val/loss") && Catch::Contains("epoch 3"));
}

TEST_CASE("max mode tracks the maximum and an improvement resets the count") {
  train::EarlyStopping es(stopping("max", 3));
  CHECK(stop_epoch(es, {0.5, 0.6, 0.55, 0.58, 0.7, 0.69, 0.68, 0.67, 0.9}) == 8);
  CHECK(es.best_epoch() == 5);
}

TEST_CASE("min_delta: changes no larger than it are not improvements") {
  train::EarlyStopping es(stopping("min", 2, 0.05));
  CHECK(stop_epoch(es, {1.0, 0.96, 0.95, 0.5}) == 3);  // 0.96 and 0.95 are within 0.05 of 1.0
  CHECK(es.best_epoch() == 1);
}

TEST_CASE("a non-finite value never improves and counts against patience") {
  train::EarlyStopping es(stopping("min", 1));
  CHECK(es.observe(1, NAN) == false);
  CHECK(es.should_stop());
  CHECK(es.best_epoch() == 0);
}

TEST_CASE("without a monitor early stopping is off and never stops") {
  train::EarlyStopping es(config::EarlyStoppingConfig{});
  CHECK_FALSE(es.enabled());
  CHECK(stop_epoch(es, {1, 2, 3, 4, 5, 6, 7, 8}) == 0);
}

TEST_CASE("early stopping state survives a checkpoint round trip") {
  train::EarlyStopping before(stopping("min", 3));
  stop_epoch(before, {1.0, 0.5, 0.6, 0.7});
  torch::serialize::OutputArchive out;
  before.save(out);
  std::stringstream buffer;
  out.save_to(buffer);
  torch::serialize::InputArchive in;
  in.load_from(buffer);
  train::EarlyStopping after(stopping("min", 3));
  after.load(in);
  CHECK(after.best_epoch() == 2);
  CHECK(after.epochs_without_improvement() == 2);
  CHECK_FALSE(after.should_stop());
  after.observe(5, 0.55);  // the third epoch without improvement, counted across the "resume"
  CHECK(after.should_stop());
}
