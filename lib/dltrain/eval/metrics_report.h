// Presents ClassificationMetrics: an aligned table for people and a JSON document for scripts.
#pragma once

#include <nlohmann/json_fwd.hpp>

#include <string>
#include <vector>

#include "dltrain/eval/classification_metrics.h"

namespace dltrain::eval {

// class_names[i] names class i; missing names (a shorter or empty list) fall back to the index.
// Undefined scores (NaN, e.g. no loss recorded) print as "n/a" and become JSON null.

// Summary lines, per-class precision / recall / F1 / support, the classes with low recall
// (ClassificationMetrics::low_recall_classes), and the confusion matrix
// (rows: target, columns: predicted; left out above 20 classes, where it stops being readable).
std::string format_metrics_table(const ClassificationMetrics& m, const std::vector<std::string>& class_names);

// {count, loss, accuracy, top5_accuracy, balanced_accuracy, macro_f1, worst_recall,
//  per_class: [{name, precision, recall, f1, support}], low_recall_classes: [name, ...],
//  confusion_matrix: [[...], ...]}
nlohmann::json metrics_to_json(const ClassificationMetrics& m, const std::vector<std::string>& class_names);

}  // namespace dltrain::eval
