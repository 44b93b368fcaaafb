// Training on a Fashion-MNIST subset must learn, and the run directory must hold every output.
#include <catch2/catch.hpp>
#include <torch/torch.h>

#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>

#include "dltrain/config/experiment_config.h"
#include "dltrain/core/error.h"
#include "dltrain/train/experiment.h"
#include "dltrain/train/trainer.h"
#include "temp_dir.h"

using namespace dltrain;
namespace fs = std::filesystem;

namespace {

config::ExperimentConfig small_fashion_config(const std::string& output) {
  config::ExperimentConfig config;
  config.name = "smoke";
  config.output = output;
  config.threads = 1;
  config.data.subset.train = 3000;
  config.data.subset.test = 1000;
  config.data.val_split = 0.2;
  config.data.batch_size = 64;
  config.data.workers = 1;
  config.model.type = "cnn";
  config.model.channels = {8, 16};
  config.model.hidden = {32};
  config.train.epochs = 3;
  return config;
}

}  // namespace

TEST_CASE("a small cnn learns Fashion-MNIST far above chance in seconds") {
  TempDir tmp;
  const auto summary = train::run_experiment(small_fashion_config(tmp.path), {});
  const auto& final_metrics = summary["final"];
  CHECK(final_metrics["test/accuracy"].get<double>() > 0.65);  // chance is 0.10
  CHECK(final_metrics["val/accuracy"].get<double>() > 0.65);
  CHECK(summary["epochs_completed"] == 3);
  CHECK(summary["stop_reason"] == "completed");
  CHECK(summary["best"]["epoch"].get<int>() >= 1);

  const std::string run = summary["run_dir"];
  for (const char* file : {"config.yaml", "metrics.jsonl", "metrics.csv", "summary.json", "train.log",
                           "checkpoints/last.pt", "checkpoints/best.pt"}) {
    CHECK(fs::exists(fs::path(run) / file));
  }
}

TEST_CASE("every epoch row holds exactly the announced metric names, in order") {
  TempDir tmp;
  auto config = small_fashion_config(tmp.path);
  config.train.epochs = 1;
  config.data.subset.train = 500;
  const auto summary = train::run_experiment(config, {});
  std::ifstream in(summary["run_dir"].get<std::string>() + "/metrics.jsonl");
  std::string line;
  std::getline(in, line);
  auto row = nlohmann::ordered_json::parse(line);
  std::vector<std::string> keys;
  for (const auto& item : row.items()) {
    if (item.key() != "epoch") keys.push_back(item.key());
  }
  CHECK(keys == train::epoch_metric_names(true, {"0", "1", "2", "3", "4", "5", "6", "7", "8", "9"}));
}

TEST_CASE("the same seed trains to the same weights and metrics") {
  TempDir tmp;
  auto config = small_fashion_config(tmp.path);
  config.train.epochs = 1;
  config.data.subset.train = 600;
  const auto a = train::run_experiment(config, {});
  const auto b = train::run_experiment(config, {});
  CHECK(a["final"]["train/loss"] == b["final"]["train/loss"]);
  CHECK(a["final"]["test/accuracy"] == b["final"]["test/accuracy"]);
  CHECK(a["run_dir"] != b["run_dir"]);
}

TEST_CASE("a monitor metric the run does not log is refused before the run directory exists") {
  TempDir tmp;
  auto config = small_fashion_config(tmp.path);
  config.data.val_split = 0.0;  // no val/ metrics
  CHECK_THROWS_AS(train::run_experiment(config, {}), ConfigError);
  CHECK_FALSE(fs::exists(fs::path(tmp.path) / "smoke"));
}

TEST_CASE("a learning rate that blows the loss up stops with a diverged error") {
  TempDir tmp;
  auto config = small_fashion_config(tmp.path);
  config.model.norm = "none";
  config.optimizer.type = "sgd";
  config.optimizer.lr = 1.0e6;
  config.train.epochs = 1;
  config.data.subset.train = 600;
  CHECK_THROWS_AS(train::run_experiment(config, {}), DivergedError);
}

TEST_CASE("mixup and cutmix batches train on soft targets and still learn") {
  TempDir tmp;
  auto config = small_fashion_config(tmp.path);
  config.data.batch_augment.mixup = 0.2;
  config.data.batch_augment.cutmix = 1.0;
  config.train.epochs = 2;
  const auto summary = train::run_experiment(config, {});
  CHECK(summary["final"]["test/accuracy"].get<double>() > 0.6);  // chance is 0.10
  // Accuracy on mixed batches is against each sample's larger share, so it stays a fraction.
  const double train_accuracy = summary["final"]["train/accuracy"].get<double>();
  CHECK(train_accuracy > 0.3);
  CHECK(train_accuracy <= 1.0);
}
