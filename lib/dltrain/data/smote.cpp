// Neighbours are found by brute force: tables handled here are small, and it keeps the result
// exact and independent of any index structure.
#include "dltrain/data/smote.h"

#include <fmt/format.h>
#include <torch/torch.h>

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <fstream>
#include <random>

#include "dltrain/config/experiment_config.h"
#include "dltrain/core/error.h"
#include "dltrain/data/csv_table.h"
#include "dltrain/data/dataset_format.h"
#include "dltrain/data/seeded_shuffle.h"

namespace dltrain::data {
namespace {

namespace fs = std::filesystem;

bool complete(const std::vector<double>& row) {
  return std::none_of(row.begin(), row.end(), [](double v) { return std::isnan(v); });
}

std::vector<double> feature_scales(const TableRows& table) {
  const size_t width = table.features.empty() ? 0 : table.features[0].size();
  std::vector<double> scale(width, 1.0);
  for (size_t f = 0; f < width; ++f) {
    double sum = 0, squares = 0;
    int64_t n = 0;
    for (const auto& row : table.features) {
      if (std::isnan(row[f])) continue;
      sum += row[f];
      squares += row[f] * row[f];
      ++n;
    }
    const double variance = n > 0 ? squares / n - (sum / n) * (sum / n) : 0.0;
    scale[f] = variance > 1e-12 ? std::sqrt(variance) : 1.0;
  }
  return scale;
}

std::string number_text(double value) { return std::isnan(value) ? "" : fmt::format("{}", value); }

}  // namespace

void smote(TableRows& table, int64_t num_classes, int64_t target, int64_t k, uint64_t seed) {
  const auto scale = feature_scales(table);
  auto distance = [&](const std::vector<double>& a, const std::vector<double>& b) {
    double d = 0;
    for (size_t f = 0; f < a.size(); ++f) d += std::pow((a[f] - b[f]) / scale[f], 2);
    return d;
  };
  std::mt19937_64 engine(mix_seed(seed, 0x736d6f7465));
  auto unit = [&] { return static_cast<double>(engine() >> 11) * 0x1.0p-53; };
  for (int64_t c = 0; c < num_classes; ++c) {
    std::vector<size_t> members;
    int64_t count = 0;
    for (size_t i = 0; i < table.labels.size(); ++i) {
      if (table.labels[i] != c) continue;
      ++count;
      if (complete(table.features[i])) members.push_back(i);
    }
    if (count >= target || members.empty()) continue;
    // Each member's k nearest members, nearest first (ties by row order).
    std::vector<std::vector<size_t>> neighbours(members.size());
    for (size_t m = 0; m < members.size(); ++m) {
      std::vector<std::pair<double, size_t>> by_distance;
      for (size_t o = 0; o < members.size(); ++o)
        if (o != m) by_distance.emplace_back(distance(table.features[members[m]], table.features[members[o]]), o);
      std::sort(by_distance.begin(), by_distance.end());
      for (size_t j = 0; j < by_distance.size() && static_cast<int64_t>(j) < k; ++j)
        neighbours[m].push_back(members[by_distance[j].second]);
    }
    for (int64_t n = count; n < target; ++n) {
      const size_t m = uniform_below(engine, members.size());
      const auto& base = table.features[members[m]];
      std::vector<double> row = base;
      if (!neighbours[m].empty()) {
        const auto& other = table.features[neighbours[m][uniform_below(engine, neighbours[m].size())]];
        const double gap = unit();
        for (size_t f = 0; f < row.size(); ++f) row[f] = base[f] + gap * (other[f] - base[f]);
      }
      table.features.push_back(std::move(row));
      table.labels.push_back(c);
    }
  }
}

TableSynthesisReport synthesize_table(const config::DataConfig& data, const std::string& out_dir, int64_t target,
                                      int64_t k, uint64_t seed, bool force) {
  if (!force && fs::exists(out_dir) && (!fs::is_directory(out_dir) || !fs::is_empty(out_dir))) {
    throw DataError(fmt::format("--out '{}': the directory is not empty (use --force to write into it)", out_dir));
  }
  config::DataConfig raw = data;
  raw.csv.standardize = false;  // SMOTE writes rows in the file's own units
  const std::string key = "train";
  const ImageSupport none;
  NamedSplit split = read_csv_format(FormatRequest{data.train, key, raw, none});
  TableRows table;
  const auto values = split.set.images.to(torch::kDouble).contiguous();
  const int64_t rows = values.size(0), width = values.size(1);
  for (int64_t r = 0; r < rows; ++r)
    table.features.emplace_back(values.data_ptr<double>() + r * width, values.data_ptr<double>() + (r + 1) * width);
  table.labels.assign(split.set.labels.data_ptr<int64_t>(), split.set.labels.data_ptr<int64_t>() + rows);

  const int64_t classes = static_cast<int64_t>(split.class_names.size());
  TableSynthesisReport report;
  report.class_names = split.class_names;
  report.before.assign(classes, 0);
  for (auto label : table.labels) ++report.before[label];
  if (target <= 0) target = *std::max_element(report.before.begin(), report.before.end());
  smote(table, classes, target, k, seed);
  report.after.assign(classes, 0);
  for (auto label : table.labels) ++report.after[label];

  fs::create_directories(out_dir);
  report.file = (fs::path(out_dir) / fs::path(data.train).filename()).string();
  std::ofstream out(report.file);
  for (const auto& name : split.feature_names) out << csv_cell(name) << ',';
  out << csv_cell(data.csv.label) << '\n';
  for (size_t r = 0; r < table.labels.size(); ++r) {
    for (double v : table.features[r]) out << number_text(v) << ',';
    out << csv_cell(split.class_names[table.labels[r]]) << '\n';
  }
  out.close();
  if (!out) throw DataError(fmt::format("'{}': cannot write the table", report.file));
  return report;
}

}  // namespace dltrain::data
