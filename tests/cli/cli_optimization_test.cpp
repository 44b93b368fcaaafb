// The gradient-tool example configs through the real binary: lr 10 diverges and is caught,
// the same config with clipping trains; amp on CPU is refused.
#include <catch2/catch.hpp>

#include <filesystem>
#include <nlohmann/json.hpp>
#include <sstream>

#include "cli_runner.h"
#include "temp_dir.h"

namespace {

std::string small(const std::string& config, const TempDir& tmp) {
  return "run " + std::string(DLTRAIN_SOURCE_DIR) + "/configs/" + config + " --output " + tmp.path +
         "/runs --set data.subset.train=3000 --set data.subset.test=500 --set threads=1";
}

}  // namespace

TEST_CASE("lr10_stop.yaml diverges in its first epoch and exits 4 naming the layer") {
  TempDir tmp;
  const auto run = run_dltrain(small("lr10_stop.yaml", tmp) + " --set train.epochs=1", tmp.path);
  INFO(run.err);
  CHECK(run.exit_code == 4);
  CHECK(run.err.find("training diverged at epoch 1") != std::string::npos);
  CHECK(run.err.find("in layer ") != std::string::npos);
}

TEST_CASE("lr10_clipped.yaml is the same run with clipping and trains") {
  TempDir tmp;
  const auto run = run_dltrain(small("lr10_clipped.yaml", tmp) + " --set train.epochs=1 --set train.log_every=5 --json", tmp.path);
  INFO(run.err);
  REQUIRE(run.exit_code == 0);
  const auto summary = nlohmann::json::parse(run.out);
  CHECK(summary["final"]["test/accuracy"].get<double>() > 0.5);
  // The gradient-health rows carry a step; the epoch row the lr and the skipped steps.
  std::istringstream lines(read_file(summary["run_dir"].get<std::string>() + "/metrics.jsonl"));
  std::string line;
  int step_rows = 0, epoch_rows = 0;
  while (std::getline(lines, line)) {
    const auto row = nlohmann::json::parse(line);
    if (row.contains("step")) {
      ++step_rows;
      CHECK(row.contains("grad_norm/total"));
      CHECK(row.contains("update_ratio/fc1.weight"));
    } else {
      ++epoch_rows;
      CHECK(row["lr"] == 10.0);
      CHECK(row["train/skipped_steps"] == 0);
    }
  }
  CHECK(epoch_rows == 1);
  CHECK(step_rows == 4);  // 2700 training images = 22 batches of 128, a health row every 5 steps
}

TEST_CASE("train.amp on a CPU run is a config error, exit 2, naming the key") {
  TempDir tmp;
  const auto run = run_dltrain(small("lr10_clipped.yaml", tmp) + " --set train.amp=true --set device=cpu", tmp.path);
  CHECK(run.exit_code == 2);
  CHECK(run.err.find("train.amp: mixed precision needs a CUDA device") != std::string::npos);
  CHECK_FALSE(std::filesystem::exists(tmp.path + "/runs/lr10-clipped"));
}
