// Classification metrics accumulated over batches: a confusion matrix plus loss and top-k sums,
// with the scores defined exactly as scikit-learn defines them.
#pragma once

#include <cstdint>
#include <vector>

namespace dltrain::eval {

// Definitions (n_c = support, TP/FP/FN per class from the confusion matrix):
//   precision = TP / (TP + FP), recall = TP / (TP + FN), f1 = 2TP / (2TP + FP + FN); a 0/0 is 0
//     (precision_recall_fscore_support with zero_division=0).
//   balanced_accuracy = mean recall over classes that occur in the targets (balanced_accuracy_score).
//   macro_f1 = mean F1 over classes that occur in the targets or the predictions (f1_score with
//     average="macro", zero_division=0, labels=None): a class the data never mentions does not
//     drag the mean down, a class only ever predicted (wrongly) counts as F1 0.
// A score with nothing to average over (no samples, no loss, no top-k added) is NaN.
class ClassificationMetrics {
 public:
  explicit ClassificationMetrics(int64_t num_classes);

  // One sample. Throws DataError for a target outside [0, num_classes) (labels the model cannot
  // represent), InternalError for such a prediction (a bug in whoever computed it).
  void add(int64_t target, int64_t predicted);
  void add_loss(double loss_sum, int64_t count);  // summed per-sample loss of a batch
  void add_top_k(int64_t hits);                   // top-5 hits of a batch, computed by the caller

  int64_t count() const { return count_; }
  double loss() const;  // mean per-sample loss
  double accuracy() const;
  double top5_accuracy() const;
  double balanced_accuracy() const;
  double macro_f1() const;
  // The lowest recall of a class that occurs in the targets: the class the model serves worst.
  double worst_recall() const;
  // Classes that occur in the targets with recall below half the balanced accuracy (their mean
  // recall): on imbalanced data, the rare classes the model has learned to ignore.
  std::vector<int64_t> low_recall_classes() const;

  struct ClassScores {
    double precision, recall, f1;
    int64_t support;
  };
  std::vector<ClassScores> per_class() const;  // one entry per class, present or not

  const std::vector<int64_t>& confusion() const { return confusion_; }  // row-major [target][predicted]

  // Everything accumulated, as numbers that add up: the confusion cells, then the sample count,
  // loss sum, loss count, top-k hits and whether top-k was added. Shards of a split evaluated in
  // different processes are summed element-wise and restored with from_sums.
  std::vector<double> sums() const;
  static ClassificationMetrics from_sums(int64_t num_classes, const std::vector<double>& sums);
  int64_t num_classes() const { return num_classes_; }

 private:
  int64_t cell(int64_t target, int64_t predicted) const { return confusion_[target * num_classes_ + predicted]; }
  int64_t times_predicted(int64_t c) const;  // column sum: TP + FP
  int64_t support(int64_t c) const;          // row sum: TP + FN

  int64_t num_classes_;
  std::vector<int64_t> confusion_;
  int64_t count_ = 0;
  double loss_sum_ = 0.0;
  int64_t loss_count_ = 0;
  int64_t top_k_hits_ = 0;
  bool has_top_k_ = false;
};

}  // namespace dltrain::eval
