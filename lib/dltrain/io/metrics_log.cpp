// Lines are flushed as written: a killed run keeps every finished epoch.
#include "dltrain/io/metrics_log.h"

#include <fmt/format.h>

#include <cmath>
#include <cstdlib>
#include <filesystem>
#include <iterator>
#include <nlohmann/json.hpp>

#include "dltrain/core/error.h"
#include "dltrain/io/atomic_file.h"

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

MetricHistory read_metric_history(const std::string& run_directory) {
  const std::string path = run_directory + "/metrics.jsonl";
  std::ifstream in(path);
  if (!in) throw DataError("'" + path + "': no such file (is '" + run_directory + "' a dltrain run directory?)");
  MetricHistory history;
  std::string line;
  int64_t line_number = 0;
  while (std::getline(in, line)) {
    ++line_number;
    if (line.empty()) continue;
    const auto row = nlohmann::json::parse(line, nullptr, /*allow_exceptions=*/false);
    if (row.is_discarded() && in.eof()) break;  // a last line cut short by a kill
    if (!row.is_object() || !row.contains("epoch") || !row["epoch"].is_number()) {
      throw DataError("'" + path + "':" + std::to_string(line_number) + ": expected a JSON object with an epoch");
    }
    if (row.contains("step")) continue;  // per-step rows are not epoch points
    const double epoch = row["epoch"].get<double>();
    for (const auto& [name, value] : row.items()) {
      if (name != "epoch" && value.is_number()) history[name].emplace_back(epoch, value.get<double>());
    }
  }
  return history;
}

void truncate_metrics_after(const std::string& run_directory, int64_t epoch, int64_t step) {
  // Whole lines only (a kill can cut the last one short); the epoch is the first field.
  const auto keep = [&](const std::string& path, bool csv) {
    if (!std::filesystem::exists(path)) return;
    std::ifstream in(path, std::ios::binary);
    const std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    std::string kept;
    bool header = csv;
    for (size_t begin = 0, end; (end = text.find('\n', begin)) != std::string::npos; begin = end + 1) {
      const std::string line = text.substr(begin, end - begin);
      if (line.empty()) continue;
      bool ok = header;
      if (!header) {
        int64_t row_epoch = epoch + 1;
        if (csv) {
          row_epoch = std::strtoll(line.c_str(), nullptr, 10);
        } else {
          const auto row = nlohmann::json::parse(line, nullptr, /*allow_exceptions=*/false);
          if (row.is_object() && row.contains("epoch") && row["epoch"].is_number_integer()) {
            row_epoch = row["epoch"].get<int64_t>();
          }
          // A step row of the interrupted epoch stays when its step was taken before the checkpoint.
          if (row.is_object() && row.contains("step") && row["step"].is_number_integer() && step >= 0) {
            row_epoch = row["step"].get<int64_t>() <= step ? epoch : epoch + 1;
          }
        }
        ok = row_epoch <= epoch;
      }
      header = false;
      if (ok) kept += line + "\n";
    }
    write_text_atomically(path, kept);
  };
  keep(run_directory + "/metrics.jsonl", false);
  keep(run_directory + "/metrics.csv", true);
}

MetricsLog::MetricsLog(const std::string& run_directory)
    : jsonl_path_(run_directory + "/metrics.jsonl"), csv_path_(run_directory + "/metrics.csv") {
  std::error_code ignored;
  csv_has_header_ = std::filesystem::file_size(csv_path_, ignored) > 0 && !ignored;
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
    if (!csv_has_header_) csv_ << header << '\n';
    csv_has_header_ = true;
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
