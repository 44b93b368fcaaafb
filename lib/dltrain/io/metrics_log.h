// Per-epoch metrics on disk: metrics.jsonl (one JSON object a line) and metrics.csv (the same
// rows as CSV). Metric names are "split/name" (train/loss, val/accuracy, lr, ...).
#pragma once

#include <cstdint>
#include <fstream>
#include <string>
#include <utility>
#include <vector>

namespace dltrain::io {

// Ordered so files list metrics in the order they were produced.
using MetricRow = std::vector<std::pair<std::string, double>>;

// The value of `name` in `row`; false when absent.
bool find_metric(const MetricRow& row, const std::string& name, double& value);

class MetricsLog {
 public:
  // Appends to existing files (a resumed run continues them).
  explicit MetricsLog(const std::string& run_directory);

  // Writes one epoch row; the CSV header comes from the first row written.
  void append_epoch(int64_t epoch, const MetricRow& row);
  // Writes a within-epoch row ({"epoch", "step", ...}) to metrics.jsonl only; the CSV keeps epochs.
  void append_step(int64_t epoch, int64_t step, const MetricRow& row);

 private:
  std::ofstream jsonl_, csv_;
  std::vector<std::string> csv_columns_;
  std::string jsonl_path_, csv_path_;
};

}  // namespace dltrain::io
