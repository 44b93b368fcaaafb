// Metrics reports: the JSON document's keys and values, and the human table's contents.
#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>

#include <string>
#include <vector>

#include "dltrain/eval/metrics_report.h"

using dltrain::eval::ClassificationMetrics;
using dltrain::eval::format_metrics_table;
using dltrain::eval::metrics_to_json;
using Catch::Matchers::Contains;

namespace {

// The 3-class example of classification_metrics_test.cpp: accuracy 0.6, macro F1 38/63.
ClassificationMetrics example() {
  ClassificationMetrics m(3);
  const std::vector<int64_t> targets = {0, 0, 0, 0, 1, 1, 1, 2, 2, 2};
  const std::vector<int64_t> predictions = {0, 0, 1, 2, 1, 1, 0, 2, 2, 1};
  for (size_t i = 0; i < targets.size(); ++i) m.add(targets[i], predictions[i]);
  m.add_loss(5.0, 10);
  m.add_top_k(10);
  return m;
}

}  // namespace

TEST_CASE("the JSON report has every summary key, per-class scores and the confusion matrix") {
  const auto doc = metrics_to_json(example(), {"shirt", "trouser", "coat"});
  for (const char* key : {"count", "loss", "accuracy", "top5_accuracy", "balanced_accuracy", "macro_f1", "per_class",
                          "confusion_matrix"}) {
    INFO(key);
    CHECK(doc.contains(key));
  }
  CHECK(doc["count"] == 10);
  CHECK(doc["loss"].get<double>() == Approx(0.5));
  CHECK(doc["accuracy"].get<double>() == Approx(0.6));
  CHECK(doc["top5_accuracy"].get<double>() == Approx(1.0));
  CHECK(doc["balanced_accuracy"].get<double>() == Approx(11.0 / 18.0));
  CHECK(doc["macro_f1"].get<double>() == Approx(38.0 / 63.0));

  REQUIRE(doc["per_class"].size() == 3);
  const auto& trouser = doc["per_class"][1];
  CHECK(trouser["name"] == "trouser");
  CHECK(trouser["precision"].get<double>() == Approx(0.5));
  CHECK(trouser["recall"].get<double>() == Approx(2.0 / 3.0));
  CHECK(trouser["f1"].get<double>() == Approx(4.0 / 7.0));
  CHECK(trouser["support"] == 3);
  CHECK(doc["confusion_matrix"] == nlohmann::json::parse("[[2,1,1],[1,2,0],[0,1,2]]"));
}

TEST_CASE("undefined scores are JSON null and missing class names fall back to the index") {
  ClassificationMetrics m(2);
  m.add(1, 1);
  const auto doc = metrics_to_json(m, {});
  CHECK(doc["loss"].is_null());
  CHECK(doc["top5_accuracy"].is_null());
  CHECK(doc["accuracy"] == 1.0);
  CHECK(doc["per_class"][0]["name"] == "0");
  CHECK(doc["per_class"][1]["name"] == "1");
}

TEST_CASE("the table shows the summary, per-class scores under their names, and the confusion matrix") {
  const std::string table = format_metrics_table(example(), {"shirt", "trouser", "coat"});
  CHECK_THAT(table, Contains("samples            10"));
  CHECK_THAT(table, Contains("accuracy           0.6000"));
  CHECK_THAT(table, Contains("macro_f1           0.6032"));
  CHECK_THAT(table, Contains("balanced_accuracy  0.6111"));
  CHECK_THAT(table, Contains("class    precision     recall         f1    support"));
  CHECK_THAT(table, Contains("trouser     0.5000     0.6667     0.5714          3"));
  CHECK_THAT(table, Contains("confusion matrix (rows: target, columns: predicted)"));
  CHECK_THAT(table, Contains(" 0  shirt   2 1 1"));
  CHECK_THAT(table, Contains(" 2  coat    0 1 2"));
}

TEST_CASE("the table prints n/a for undefined scores and leaves out huge confusion matrices") {
  ClassificationMetrics m(30);
  m.add(4, 4);
  const std::string table = format_metrics_table(m, {});
  CHECK_THAT(table, Contains("loss               n/a"));
  CHECK_THAT(table, Contains("confusion matrix left out (30 classes)"));
}

TEST_CASE("reports flag the classes with low recall by name") {
  ClassificationMetrics m(3);
  const std::vector<int64_t> targets = {0, 0, 1, 1, 2, 2, 2, 2, 2};
  const std::vector<int64_t> predictions = {0, 0, 1, 1, 2, 0, 0, 1, 0};
  for (size_t i = 0; i < targets.size(); ++i) m.add(targets[i], predictions[i]);
  const std::vector<std::string> names = {"cat", "dog", "ferret"};
  CHECK(metrics_to_json(m, names)["low_recall_classes"] == nlohmann::json::array({"ferret"}));
  CHECK(metrics_to_json(m, names)["worst_recall"].get<double>() == Approx(0.2));
  CHECK_THAT(format_metrics_table(m, names), Contains("low recall (below half the mean recall, 0.3667): ferret 0.2000"));
  CHECK_THAT(format_metrics_table(example(), names), !Contains("low recall"));
}
