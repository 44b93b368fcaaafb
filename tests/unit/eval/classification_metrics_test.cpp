// Classification metrics against hand-computed values, using scikit-learn's definitions
// (precision_recall_fscore_support with zero_division=0, balanced_accuracy_score).
#include <catch2/catch.hpp>

#include <cmath>
#include <vector>

#include "dltrain/core/error.h"
#include "dltrain/eval/classification_metrics.h"

using dltrain::eval::ClassificationMetrics;

namespace {

ClassificationMetrics metrics_of(int64_t num_classes, const std::vector<int64_t>& targets,
                                 const std::vector<int64_t>& predictions) {
  ClassificationMetrics m(num_classes);
  for (size_t i = 0; i < targets.size(); ++i) m.add(targets[i], predictions[i]);
  return m;
}

}  // namespace

// targets     0 0 0 0 1 1 1 2 2 2
// predictions 0 0 1 2 1 1 0 2 2 1
// confusion [target][predicted] = [[2,1,1], [1,2,0], [0,1,2]]
//   class 0: TP 2, predicted 3, support 4 -> P 2/3, R 1/2, F1 2*2/(3+4) = 4/7
//   class 1: TP 2, predicted 4, support 3 -> P 1/2, R 2/3, F1 4/7
//   class 2: TP 2, predicted 3, support 3 -> P 2/3, R 2/3, F1 2/3
// accuracy 6/10; balanced accuracy (1/2 + 2/3 + 2/3) / 3 = 11/18; macro F1 (4/7 + 4/7 + 2/3) / 3 = 38/63
TEST_CASE("a 3-class example matches the hand-computed scikit-learn scores") {
  const auto m = metrics_of(3, {0, 0, 0, 0, 1, 1, 1, 2, 2, 2}, {0, 0, 1, 2, 1, 1, 0, 2, 2, 1});
  CHECK(m.count() == 10);
  CHECK(m.num_classes() == 3);
  CHECK(m.confusion() == std::vector<int64_t>{2, 1, 1, 1, 2, 0, 0, 1, 2});
  CHECK(m.accuracy() == Approx(0.6));
  CHECK(m.balanced_accuracy() == Approx(11.0 / 18.0));
  CHECK(m.macro_f1() == Approx(38.0 / 63.0));

  const auto scores = m.per_class();
  REQUIRE(scores.size() == 3);
  CHECK(scores[0].precision == Approx(2.0 / 3.0));
  CHECK(scores[0].recall == Approx(0.5));
  CHECK(scores[0].f1 == Approx(4.0 / 7.0));
  CHECK(scores[0].support == 4);
  CHECK(scores[1].precision == Approx(0.5));
  CHECK(scores[1].recall == Approx(2.0 / 3.0));
  CHECK(scores[1].f1 == Approx(4.0 / 7.0));
  CHECK(scores[1].support == 3);
  CHECK(scores[2].precision == Approx(2.0 / 3.0));
  CHECK(scores[2].recall == Approx(2.0 / 3.0));
  CHECK(scores[2].f1 == Approx(2.0 / 3.0));
  CHECK(scores[2].support == 3);
}

// 4 classes; targets 0 1 2 2, predictions 0 1 1 1. Class 2 is never predicted, class 3 never occurs.
//   class 0: P 1, R 1, F1 1;  class 1: P 1/3, R 1, F1 2/(3+1) = 1/2;  class 2: P 0 (0/0), R 0, F1 0
// balanced accuracy over classes in the targets {0,1,2}: (1 + 1 + 0) / 3;
// macro F1 over classes in targets or predictions {0,1,2}: (1 + 1/2 + 0) / 3 — class 3 is left out.
TEST_CASE("a class that is never predicted has precision 0, and absent classes do not count") {
  const auto m = metrics_of(4, {0, 1, 2, 2}, {0, 1, 1, 1});
  const auto scores = m.per_class();
  CHECK(scores[2].precision == 0.0);
  CHECK(scores[2].recall == 0.0);
  CHECK(scores[2].f1 == 0.0);
  CHECK(scores[2].support == 2);
  CHECK(scores[1].precision == Approx(1.0 / 3.0));
  CHECK(scores[1].f1 == Approx(0.5));
  CHECK(scores[3].precision == 0.0);
  CHECK(scores[3].support == 0);
  CHECK(m.accuracy() == Approx(0.5));
  CHECK(m.balanced_accuracy() == Approx(2.0 / 3.0));
  CHECK(m.macro_f1() == Approx(0.5));
}

// 3 classes; targets 0 0, predictions 0 1. Class 1 is predicted but never a target:
//   class 0: P 1, R 1/2, F1 2/3;  class 1: P 0, R 0 (0/0), F1 0
// balanced accuracy uses target classes only: 1/2; macro F1 includes class 1: (2/3 + 0) / 2 = 1/3.
TEST_CASE("a class only ever predicted lowers macro F1 but not balanced accuracy") {
  const auto m = metrics_of(3, {0, 0}, {0, 1});
  CHECK(m.balanced_accuracy() == Approx(0.5));
  CHECK(m.macro_f1() == Approx(1.0 / 3.0));
  CHECK(m.per_class()[1].recall == 0.0);
}

TEST_CASE("perfect predictions score 1 everywhere") {
  const auto m = metrics_of(3, {0, 1, 2, 2, 1}, {0, 1, 2, 2, 1});
  CHECK(m.accuracy() == 1.0);
  CHECK(m.balanced_accuracy() == 1.0);
  CHECK(m.macro_f1() == 1.0);
  for (const auto& s : m.per_class()) {
    CHECK(s.precision == 1.0);
    CHECK(s.recall == 1.0);
    CHECK(s.f1 == 1.0);
  }
}

TEST_CASE("loss is the mean over samples and top-5 accuracy the hit rate, both summed over batches") {
  ClassificationMetrics m(10);
  for (int i = 0; i < 10; ++i) m.add(i, (i + 1) % 10);
  m.add_loss(3.0, 4);
  m.add_loss(7.0, 6);
  m.add_top_k(4);
  m.add_top_k(5);
  CHECK(m.loss() == Approx(1.0));
  CHECK(m.top5_accuracy() == Approx(0.9));
  CHECK(m.accuracy() == 0.0);
}

TEST_CASE("scores with nothing to average over are NaN") {
  ClassificationMetrics m(3);
  CHECK(std::isnan(m.loss()));
  CHECK(std::isnan(m.accuracy()));
  CHECK(std::isnan(m.top5_accuracy()));
  CHECK(std::isnan(m.balanced_accuracy()));
  CHECK(std::isnan(m.macro_f1()));
  m.add(0, 0);
  CHECK(std::isnan(m.top5_accuracy()));  // no top-k was ever added: unknown, not 0
}

TEST_CASE("out-of-range targets and predictions throw and leave the counts untouched") {
  ClassificationMetrics m(3);
  CHECK_THROWS_AS(m.add(3, 0), dltrain::DataError);
  CHECK_THROWS_AS(m.add(-1, 0), dltrain::DataError);
  CHECK_THROWS_AS(m.add(0, 3), dltrain::InternalError);
  CHECK_THROWS_AS(m.add(0, -1), dltrain::InternalError);
  CHECK_THROWS_AS(ClassificationMetrics(0), dltrain::InternalError);
  CHECK(m.count() == 0);
  CHECK(m.confusion() == std::vector<int64_t>(9, 0));
}

TEST_CASE("worst recall is the lowest recall of a class present in the targets") {
  // Class 3 never occurs, so its recall (0/0) does not count.
  const auto m = metrics_of(4, {0, 0, 0, 0, 1, 1, 1, 2, 2, 2}, {0, 0, 1, 2, 1, 1, 0, 2, 2, 1});
  CHECK(m.worst_recall() == Approx(0.5));
  CHECK(std::isnan(ClassificationMetrics(3).worst_recall()));
}

TEST_CASE("classes with recall below half the mean recall are flagged") {
  // Recalls: class 0 1.0, class 1 1.0, class 2 0.2 (mean 0.733, half 0.367): only class 2.
  std::vector<int64_t> targets = {0, 0, 1, 1, 2, 2, 2, 2, 2};
  std::vector<int64_t> predictions = {0, 0, 1, 1, 2, 0, 0, 1, 0};
  const auto m = metrics_of(3, targets, predictions);
  CHECK(m.low_recall_classes() == std::vector<int64_t>{2});
  CHECK(metrics_of(3, {0, 1, 2}, {0, 1, 2}).low_recall_classes().empty());
}

TEST_CASE("metrics of shards summed through sums and from_sums equal the metrics of the whole split") {
  const std::vector<std::pair<int64_t, int64_t>> samples = {{0, 0}, {1, 2}, {2, 2}, {1, 1}, {0, 1}, {2, 2}, {1, 1}};
  ClassificationMetrics whole(3), first(3), second(3);
  for (std::size_t i = 0; i < samples.size(); ++i) {
    whole.add(samples[i].first, samples[i].second);
    (i % 2 == 0 ? first : second).add(samples[i].first, samples[i].second);
  }
  whole.add_loss(3.5, 7);
  first.add_loss(2.0, 4);
  second.add_loss(1.5, 3);
  whole.add_top_k(6);
  first.add_top_k(4);
  second.add_top_k(2);
  auto sums = first.sums();
  const auto more = second.sums();
  for (std::size_t i = 0; i < sums.size(); ++i) sums[i] += more[i];
  const auto merged = ClassificationMetrics::from_sums(3, sums);
  CHECK(merged.confusion() == whole.confusion());
  CHECK(merged.count() == whole.count());
  CHECK(merged.loss() == Approx(whole.loss()));
  CHECK(merged.top5_accuracy() == Approx(whole.top5_accuracy()));
  CHECK(merged.macro_f1() == Approx(whole.macro_f1()));
  CHECK(merged.accuracy() != Approx((first.accuracy() + second.accuracy()) / 2));  // not an average of averages
  CHECK_THROWS_AS(ClassificationMetrics::from_sums(4, sums), dltrain::InternalError);
}
