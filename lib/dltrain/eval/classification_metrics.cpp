// Scores derived from the confusion matrix; see the header for the exact (scikit-learn) definitions.
#include "dltrain/eval/classification_metrics.h"

#include <fmt/format.h>

#include <cmath>
#include <limits>

#include "dltrain/core/error.h"

namespace dltrain::eval {
namespace {

constexpr double kUndefined = std::numeric_limits<double>::quiet_NaN();

// zero_division=0: a ratio with nothing in its denominator counts as 0.
double ratio_or_zero(int64_t numerator, int64_t denominator) {
  return denominator == 0 ? 0.0 : static_cast<double>(numerator) / static_cast<double>(denominator);
}

double ratio_or_undefined(double numerator, int64_t denominator) {
  return denominator == 0 ? kUndefined : numerator / static_cast<double>(denominator);
}

}  // namespace

ClassificationMetrics::ClassificationMetrics(int64_t num_classes) : num_classes_(num_classes) {
  if (num_classes < 1) throw InternalError(fmt::format("metrics: expected at least 1 class, got {}", num_classes));
  confusion_.assign(static_cast<size_t>(num_classes * num_classes), 0);
}

void ClassificationMetrics::add(int64_t target, int64_t predicted) {
  if (target < 0 || target >= num_classes_) {
    throw DataError(fmt::format("metrics: target label {} is outside the model's classes 0..{}", target, num_classes_ - 1));
  }
  if (predicted < 0 || predicted >= num_classes_) {
    throw InternalError(fmt::format("metrics: predicted class {} is outside 0..{}", predicted, num_classes_ - 1));
  }
  ++confusion_[static_cast<size_t>(target * num_classes_ + predicted)];
  ++count_;
}

void ClassificationMetrics::add_loss(double loss_sum, int64_t count) {
  loss_sum_ += loss_sum;
  loss_count_ += count;
}

void ClassificationMetrics::add_top_k(int64_t hits) {
  top_k_hits_ += hits;
  has_top_k_ = true;
}

std::vector<double> ClassificationMetrics::sums() const {
  std::vector<double> values(confusion_.begin(), confusion_.end());
  values.insert(values.end(), {double(count_), loss_sum_, double(loss_count_), double(top_k_hits_), has_top_k_ ? 1.0 : 0.0});
  return values;
}

ClassificationMetrics ClassificationMetrics::from_sums(int64_t num_classes, const std::vector<double>& sums) {
  ClassificationMetrics metrics(num_classes);
  const std::size_t cells = metrics.confusion_.size();
  if (sums.size() != cells + 5) {
    throw InternalError(fmt::format("metrics: expected {} sums for {} classes, got {}", cells + 5, num_classes, sums.size()));
  }
  for (std::size_t i = 0; i < cells; ++i) metrics.confusion_[i] = std::llround(sums[i]);
  metrics.count_ = std::llround(sums[cells]);
  metrics.loss_sum_ = sums[cells + 1];
  metrics.loss_count_ = std::llround(sums[cells + 2]);
  metrics.top_k_hits_ = std::llround(sums[cells + 3]);
  metrics.has_top_k_ = sums[cells + 4] > 0;
  return metrics;
}

double ClassificationMetrics::loss() const { return ratio_or_undefined(loss_sum_, loss_count_); }

double ClassificationMetrics::accuracy() const {
  int64_t correct = 0;
  for (int64_t c = 0; c < num_classes_; ++c) correct += cell(c, c);
  return ratio_or_undefined(static_cast<double>(correct), count_);
}

double ClassificationMetrics::top5_accuracy() const {
  return has_top_k_ ? ratio_or_undefined(static_cast<double>(top_k_hits_), count_) : kUndefined;
}

int64_t ClassificationMetrics::times_predicted(int64_t c) const {
  int64_t sum = 0;
  for (int64_t target = 0; target < num_classes_; ++target) sum += cell(target, c);
  return sum;
}

int64_t ClassificationMetrics::support(int64_t c) const {
  int64_t sum = 0;
  for (int64_t predicted = 0; predicted < num_classes_; ++predicted) sum += cell(c, predicted);
  return sum;
}

std::vector<ClassificationMetrics::ClassScores> ClassificationMetrics::per_class() const {
  std::vector<ClassScores> scores;
  for (int64_t c = 0; c < num_classes_; ++c) {
    const int64_t tp = cell(c, c), predicted = times_predicted(c), actual = support(c);
    // 2TP / (2TP + FP + FN) equals 2PR / (P + R) whenever both are defined, and is 0 when TP is.
    scores.push_back({ratio_or_zero(tp, predicted), ratio_or_zero(tp, actual), ratio_or_zero(2 * tp, predicted + actual),
                      actual});
  }
  return scores;
}

double ClassificationMetrics::balanced_accuracy() const {
  double sum = 0.0;
  int64_t present = 0;
  for (const auto& s : per_class()) {
    if (s.support == 0) continue;
    sum += s.recall;
    ++present;
  }
  return ratio_or_undefined(sum, present);
}

double ClassificationMetrics::macro_f1() const {
  double sum = 0.0;
  int64_t present = 0;
  const auto scores = per_class();
  for (int64_t c = 0; c < num_classes_; ++c) {
    if (scores[c].support == 0 && times_predicted(c) == 0) continue;  // absent from targets and predictions
    sum += scores[c].f1;
    ++present;
  }
  return ratio_or_undefined(sum, present);
}

double ClassificationMetrics::worst_recall() const {
  double worst = std::nan("");
  for (const auto& s : per_class()) {
    if (s.support > 0 && !(s.recall >= worst)) worst = s.recall;  // NaN start: the first present class wins
  }
  return worst;
}

std::vector<int64_t> ClassificationMetrics::low_recall_classes() const {
  std::vector<int64_t> low;
  const double mean = balanced_accuracy();
  const auto scores = per_class();
  for (int64_t c = 0; c < num_classes_; ++c) {
    if (scores[c].support > 0 && scores[c].recall < 0.5 * mean) low.push_back(c);
  }
  return low;
}

}  // namespace dltrain::eval
