// Formats ClassificationMetrics as a terminal table and as JSON, from one list of summary rows.
#include "dltrain/eval/metrics_report.h"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <nlohmann/json.hpp>
#include <utility>

namespace dltrain::eval {
namespace {

constexpr int64_t kMaxConfusionClasses = 20;

std::string class_name(const std::vector<std::string>& names, int64_t c) {
  return c < static_cast<int64_t>(names.size()) ? names[static_cast<size_t>(c)] : std::to_string(c);
}

// The headline scores in one place, so the table and the JSON cannot disagree on names or order.
std::vector<std::pair<const char*, double>> summary(const ClassificationMetrics& m) {
  return {{"loss", m.loss()},
          {"accuracy", m.accuracy()},
          {"top5_accuracy", m.top5_accuracy()},
          {"balanced_accuracy", m.balanced_accuracy()},
          {"macro_f1", m.macro_f1()},
          {"worst_recall", m.worst_recall()}};
}

std::string score(double value) { return std::isnan(value) ? "n/a" : fmt::format("{:.4f}", value); }

nlohmann::json number_or_null(double value) { return std::isnan(value) ? nlohmann::json(nullptr) : nlohmann::json(value); }

}  // namespace

std::string format_metrics_table(const ClassificationMetrics& m, const std::vector<std::string>& class_names) {
  const int64_t k = m.num_classes();
  std::string out = fmt::format("{:<18} {}\n", "samples", m.count());
  for (const auto& [name, value] : summary(m)) out += fmt::format("{:<18} {}\n", name, score(value));

  size_t name_width = 5;  // "class"
  for (int64_t c = 0; c < k; ++c) name_width = std::max(name_width, class_name(class_names, c).size());

  out += fmt::format("\n{:<{}}  {:>9}  {:>9}  {:>9}  {:>9}\n", "class", name_width, "precision", "recall", "f1", "support");
  const auto scores = m.per_class();
  for (int64_t c = 0; c < k; ++c) {
    const auto& s = scores[static_cast<size_t>(c)];
    out += fmt::format("{:<{}}  {:>9}  {:>9}  {:>9}  {:>9}\n", class_name(class_names, c), name_width, score(s.precision),
                       score(s.recall), score(s.f1), s.support);
  }
  const auto low = m.low_recall_classes();
  if (!low.empty()) {
    out += fmt::format("\nlow recall (below half the mean recall, {}):", score(0.5 * m.balanced_accuracy()));
    for (int64_t c : low) {
      out += fmt::format(" {} {}{}", class_name(class_names, c), score(scores[static_cast<size_t>(c)].recall),
                         c == low.back() ? "" : ",");
    }
    out += "\n";
  }

  if (k > kMaxConfusionClasses) {
    out += fmt::format("\nconfusion matrix left out ({} classes); see the JSON output\n", k);
    return out;
  }
  // Columns are headed by class index (names are usually too wide); rows carry the names.
  size_t cell_width = std::to_string(k - 1).size();
  for (int64_t v : m.confusion()) cell_width = std::max(cell_width, std::to_string(v).size());
  out += "\nconfusion matrix (rows: target, columns: predicted)\n";
  out += fmt::format("{:<{}}", "", name_width + 4);
  for (int64_t c = 0; c < k; ++c) out += fmt::format(" {:>{}}", c, cell_width);
  out += "\n";
  for (int64_t t = 0; t < k; ++t) {
    out += fmt::format("{:>2}  {:<{}}", t, class_name(class_names, t), name_width);
    for (int64_t p = 0; p < k; ++p) out += fmt::format(" {:>{}}", m.confusion()[static_cast<size_t>(t * k + p)], cell_width);
    out += "\n";
  }
  return out;
}

nlohmann::json metrics_to_json(const ClassificationMetrics& m, const std::vector<std::string>& class_names) {
  nlohmann::json doc;
  doc["count"] = m.count();
  for (const auto& [name, value] : summary(m)) doc[name] = number_or_null(value);

  const auto scores = m.per_class();
  auto per_class = nlohmann::json::array();
  for (int64_t c = 0; c < m.num_classes(); ++c) {
    const auto& s = scores[static_cast<size_t>(c)];
    per_class.push_back({{"name", class_name(class_names, c)},
                         {"precision", s.precision},
                         {"recall", s.recall},
                         {"f1", s.f1},
                         {"support", s.support}});
  }
  doc["per_class"] = std::move(per_class);
  auto low_recall = nlohmann::json::array();
  for (int64_t c : m.low_recall_classes()) low_recall.push_back(class_name(class_names, c));
  doc["low_recall_classes"] = std::move(low_recall);

  auto matrix = nlohmann::json::array();
  for (int64_t t = 0; t < m.num_classes(); ++t) {
    const auto row = m.confusion().begin() + t * m.num_classes();
    matrix.push_back(std::vector<int64_t>(row, row + m.num_classes()));
  }
  doc["confusion_matrix"] = std::move(matrix);
  return doc;
}

}  // namespace dltrain::eval
