// Lines are flushed as written: a killed run keeps every finished epoch.
#include "dltrain/io/metrics_log.h"

#include <fmt/format.h>

#include <cmath>
#include <nlohmann/json.hpp>

#include "dltrain/core/error.h"

namespace dltrain::io {
namespace {

nlohmann::ordered_json number(double value) {
  if (!std::isfinite(value)) return nullptr;  // JSON has no NaN/Inf
  return value;
}

}  // namespace

bool find_metric(const MetricRow& row, const std::string& name, double& value) {
  for (const auto& [key, v] : row) {
    if (key == name) {
      value = v;
      return true;
    }
  }
  return false;
}

MetricsLog::MetricsLog(const std::string& run_directory)
    : jsonl_path_(run_directory + "/metrics.jsonl"), csv_path_(run_directory + "/metrics.csv") {
  jsonl_.open(jsonl_path_, std::ios::app);
  csv_.open(csv_path_, std::ios::app);
  if (!jsonl_ || !csv_) throw DataError("cannot open metrics files in '" + run_directory + "'");
}

void MetricsLog::append_epoch(int64_t epoch, const MetricRow& row) {
  nlohmann::ordered_json line;
  line["epoch"] = epoch;
  for (const auto& [name, value] : row) line[name] = number(value);
  jsonl_ << line.dump() << '\n';
  jsonl_.flush();

  if (csv_columns_.empty()) {
    std::string header = "epoch";
    for (const auto& [name, value] : row) {
      csv_columns_.push_back(name);
      header += "," + name;
    }
    if (csv_.tellp() == 0) csv_ << header << '\n';
  }
  std::string csv_line = std::to_string(epoch);
  for (const auto& column : csv_columns_) {
    double value = 0;
    csv_line += ",";
    if (find_metric(row, column, value) && std::isfinite(value)) csv_line += fmt::format("{}", value);
  }
  csv_ << csv_line << '\n';
  csv_.flush();
  if (!jsonl_ || !csv_) throw DataError("cannot write metrics to '" + jsonl_path_ + "' (disk full?)");
}

void MetricsLog::append_step(int64_t epoch, int64_t step, const MetricRow& row) {
  nlohmann::ordered_json line;
  line["epoch"] = epoch;
  line["step"] = step;
  for (const auto& [name, value] : row) line[name] = number(value);
  jsonl_ << line.dump() << '\n';
  jsonl_.flush();
  if (!jsonl_) throw DataError("cannot write metrics to '" + jsonl_path_ + "' (disk full?)");
}

}  // namespace dltrain::io
