// Per-epoch metrics on disk: metrics.jsonl (one JSON object a line) and metrics.csv (the same
// rows as CSV). Metric names are "split/name" (train/loss, val/accuracy, lr, ...).
#pragma once

#include <cstdint>
#include <fstream>
#include <map>
#include <string>
#include <utility>
#include <vector>

namespace dltrain::io {

// Ordered so files list metrics in the order they were produced.
using MetricRow = std::vector<std::pair<std::string, double>>;

// The value of `name` in `row`; false when absent.
bool find_metric(const MetricRow& row, const std::string& name, double& value);

// Each metric of a run's metrics.jsonl as (epoch, value) points, for plots. Rows without a
// value for a metric (null) leave a gap. Throws DataError when the file is missing or unreadable.
using MetricHistory = std::map<std::string, std::vector<std::pair<double, double>>>;
MetricHistory read_metric_history(const std::string& run_directory);

// Drops every row after `epoch` from metrics.jsonl and metrics.csv (rows a killed run wrote
// past its last checkpoint), so a resumed run appends without duplicates. With `step` >= 0,
// per-step rows ("step" field) are kept exactly when their step is <= `step`, whatever their epoch.
void truncate_metrics_after(const std::string& run_directory, int64_t epoch, int64_t step = -1);

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
  bool csv_has_header_ = false;
  std::string jsonl_path_, csv_path_;
};

}  // namespace dltrain::io
