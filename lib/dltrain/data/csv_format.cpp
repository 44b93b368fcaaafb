// data.format: csv (tables). Feature cells become float32 [N, F]; the label column's values are
// class names. Missing cells follow data.csv.missing; scaling is fitted on the training split only.
#include <fmt/format.h>
#include <torch/torch.h>

#include <algorithm>
#include <cmath>
#include <cstdlib>
#include <limits>
#include <sstream>

#include "dltrain/config/experiment_config.h"
#include "dltrain/core/error.h"
#include "dltrain/data/csv_table.h"
#include "dltrain/data/dataset_format.h"

namespace dltrain::data {
namespace {

std::vector<size_t> feature_columns(const CsvTable& table, const config::CsvConfig& csv, size_t label_column,
                                    const std::string& key) {
  std::vector<size_t> columns;
  if (csv.features.empty()) {
    for (size_t c = 0; c < table.header.size(); ++c)
      if (c != label_column) columns.push_back(c);
  } else {
    std::stringstream names(csv.features);
    for (std::string name; std::getline(names, name, ',');) {
      name.erase(0, name.find_first_not_of(' '));
      name.erase(name.find_last_not_of(' ') + 1);
      columns.push_back(table.column(name, "data.csv.features"));
    }
  }
  if (columns.empty()) throw DataError(fmt::format("{}: {}: no feature columns besides the label", table.path, key));
  return columns;
}

}  // namespace

NamedSplit read_csv_format(const FormatRequest& request) {
  const auto& csv = request.config.csv;
  const CsvTable table = read_csv_table(request.locator);
  const size_t label_column = table.column(csv.label, "data.csv.label");
  const auto columns = feature_columns(table, csv, label_column, "data." + request.key);

  NamedSplit split;
  std::vector<float> values;
  std::vector<std::string> label_names;
  for (size_t r = 0; r < table.rows.size(); ++r) {
    if (table.rows[r][label_column].empty())
      throw DataError(fmt::format("{}:{}: column '{}': the label is empty", table.path, table.lines[r], csv.label));
    std::vector<float> row;
    bool missing = false;
    for (size_t c : columns) {
      const double value = table.number(r, c);
      if (std::isnan(value)) {
        if (csv.missing == "error") {
          throw DataError(fmt::format("{}:{}: column '{}': the cell is empty (set data.csv.missing to drop or mean)",
                                      table.path, table.lines[r], table.header[c]));
        }
        missing = true;
      }
      row.push_back(static_cast<float>(value));
    }
    if (missing && csv.missing == "drop") continue;
    values.insert(values.end(), row.begin(), row.end());
    label_names.push_back(table.rows[r][label_column]);
  }
  const int64_t count = static_cast<int64_t>(label_names.size());
  if (count == 0) throw DataError(fmt::format("data.{}: '{}' has no usable rows", request.key, request.locator));
  split.class_names = sorted_class_names(label_names);
  std::vector<int64_t> labels;
  for (const auto& name : label_names)
    labels.push_back(std::lower_bound(split.class_names.begin(), split.class_names.end(), name) - split.class_names.begin());
  split.set.images = torch::from_blob(values.data(), {count, static_cast<int64_t>(columns.size())}, torch::kFloat32).clone();
  split.set.labels = torch::tensor(labels, torch::kInt64);
  for (size_t c : columns) split.feature_names.push_back(table.header[c]);
  return split;
}

void fit_feature_scaling(DatasetSplits& splits, const config::CsvConfig& csv) {
  const auto& train = splits.train.images;
  const int64_t features = train.size(1);
  splits.feature_mean.assign(features, 0.0);
  splits.feature_std.assign(features, 1.0);
  splits.feature_fill.assign(features, 0.0);
  auto data = train.accessor<float, 2>();
  for (int64_t f = 0; f < features; ++f) {
    double sum = 0, squares = 0;
    int64_t n = 0;
    for (int64_t i = 0; i < train.size(0); ++i) {
      if (std::isnan(data[i][f])) continue;
      sum += data[i][f];
      squares += static_cast<double>(data[i][f]) * data[i][f];
      ++n;
    }
    if (n == 0) throw DataError("data.train: feature '" + splits.feature_names[f] + "' has no values in the training split");
    const double mean = sum / n, variance = std::max(0.0, squares / n - mean * mean);
    splits.feature_mean[f] = splits.feature_fill[f] = mean;
    if (csv.standardize) splits.feature_std[f] = variance > 1e-12 ? std::sqrt(variance) : 1.0;
  }
  // Missing cells (data.csv.missing: mean) take the training mean, i.e. 0 after centring.
  for (ImageSet* set : {&splits.train, &splits.val, &splits.test}) {
    if (set->size() == 0) continue;
    auto values = set->images.accessor<float, 2>();
    for (int64_t i = 0; i < set->images.size(0); ++i) {
      for (int64_t f = 0; f < features; ++f) {
        const double x = std::isnan(values[i][f]) ? splits.feature_fill[f] : values[i][f];
        values[i][f] = static_cast<float>(csv.standardize ? (x - splits.feature_mean[f]) / splits.feature_std[f] : x);
      }
    }
  }
  if (!csv.standardize) splits.feature_mean.assign(features, 0.0);
}

}  // namespace dltrain::data
