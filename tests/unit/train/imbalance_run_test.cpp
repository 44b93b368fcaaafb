// A run on a long-tailed split logs its class counts and weights and the imbalance metrics.
#include <catch2/catch.hpp>

#include <nlohmann/json.hpp>

#include "dltrain/config/experiment_config.h"
#include "dltrain/train/experiment.h"
#include "temp_dir.h"

using namespace dltrain;

TEST_CASE("a long-tailed, class-weighted, oversampled run stores its counts, weights and per-class recall") {
  TempDir tmp;
  config::ExperimentConfig config;
  config.name = "longtail";
  config.output = tmp.path;
  config.threads = 1;
  config.data.subset.train = 3000;  // 300 per class; val 0.2 leaves 240 per class
  config.data.subset.test = 500;
  config.data.val_split = 0.2;
  config.data.subset.imbalance_ratio = 10.0;
  config.data.sampler.type = "weighted";
  config.data.workers = 0;
  config.model.type = "mlp";
  config.model.hidden = {32};
  config.loss.class_weights.type = "balanced";
  config.train.epochs = 1;
  config.train.checkpoint.monitor = "val/worst_recall";

  const auto summary = train::run_experiment(config, {});
  const auto counts = summary["class_counts"].get<std::vector<int64_t>>();
  REQUIRE(counts.size() == 10);
  CHECK(counts.front() == 240);
  CHECK(counts.back() == 24);  // 240 / 10
  const auto weights = summary["class_weights"].get<std::vector<double>>();
  REQUIRE(weights.size() == 10);
  CHECK(weights.back() == Approx(weights.front() * 10.0));
  const auto& final_metrics = summary["final"];
  for (const char* key : {"val/worst_recall", "val/recall/9", "test/balanced_accuracy", "test/recall/0"}) {
    INFO(key);
    CHECK(final_metrics.contains(key));
  }
  CHECK(summary["best"]["monitor"] == "val/worst_recall");
}
