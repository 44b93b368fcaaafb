// metrics.jsonl and metrics.csv carry the same epoch rows; non-finite values become null/empty.
#include <catch2/catch.hpp>

#include <cmath>
#include <fstream>
#include <nlohmann/json.hpp>

#include "dltrain/io/metrics_log.h"
#include "temp_dir.h"

using namespace dltrain;

namespace {

std::vector<std::string> lines_of(const std::string& path) {
  std::ifstream in(path);
  std::vector<std::string> lines;
  for (std::string line; std::getline(in, line);) lines.push_back(line);
  return lines;
}

}  // namespace

TEST_CASE("each epoch appends one JSON line and one CSV row under a single header") {
  TempDir tmp;
  {
    io::MetricsLog log(tmp.path);
    log.append_epoch(1, {{"train/loss", 0.5}, {"val/accuracy", 0.75}});
    log.append_epoch(2, {{"train/loss", 0.25}, {"val/accuracy", NAN}});
  }
  auto jsonl = lines_of(tmp.path + "/metrics.jsonl");
  REQUIRE(jsonl.size() == 2);
  auto second = nlohmann::json::parse(jsonl[1]);
  CHECK(second["epoch"] == 2);
  CHECK(second["train/loss"] == 0.25);
  CHECK(second["val/accuracy"].is_null());
  auto csv = lines_of(tmp.path + "/metrics.csv");
  REQUIRE(csv.size() == 3);
  CHECK(csv[0] == "epoch,train/loss,val/accuracy");
  CHECK(csv[1] == "1,0.5,0.75");
  CHECK(csv[2] == "2,0.25,");
}

TEST_CASE("a reopened log appends without repeating the CSV header") {
  TempDir tmp;
  { io::MetricsLog(tmp.path).append_epoch(1, {{"train/loss", 1.0}}); }
  { io::MetricsLog(tmp.path).append_epoch(2, {{"train/loss", 0.5}}); }
  auto csv = lines_of(tmp.path + "/metrics.csv");
  REQUIRE(csv.size() == 3);
  CHECK(csv[2] == "2,0.5");
}

TEST_CASE("find_metric reports presence and value") {
  io::MetricRow row{{"lr", 0.1}};
  double value = 0;
  CHECK(io::find_metric(row, "lr", value));
  CHECK(value == 0.1);
  CHECK_FALSE(io::find_metric(row, "val/loss", value));
}

TEST_CASE("truncating after an epoch drops later rows of both files and appending continues cleanly") {
  TempDir tmp;
  {
    io::MetricsLog log(tmp.path);
    for (int64_t epoch = 1; epoch <= 3; ++epoch) log.append_epoch(epoch, {{"train/loss", 1.0 / epoch}});
  }
  io::truncate_metrics_after(tmp.path, 1);
  {
    io::MetricsLog log(tmp.path);  // a resumed run
    log.append_epoch(2, {{"train/loss", 0.125}});
  }
  const auto jsonl = lines_of(tmp.path + "/metrics.jsonl");
  REQUIRE(jsonl.size() == 2);
  CHECK(nlohmann::json::parse(jsonl[1])["train/loss"] == 0.125);
  const auto csv = lines_of(tmp.path + "/metrics.csv");
  REQUIRE(csv.size() == 3);  // one header, epochs 1 and 2
  CHECK(csv[0] == "epoch,train/loss");
  CHECK(csv[2] == "2,0.125");

  const auto history = io::read_metric_history(tmp.path);
  REQUIRE(history.at("train/loss").size() == 2);
  CHECK(history.at("train/loss")[1] == std::make_pair(2.0, 0.125));
}
