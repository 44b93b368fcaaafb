// Runs a model over a whole split without gradients and accumulates classification metrics.
#pragma once

#include <c10/core/Device.h>

#include <memory>
#include <string>
#include <vector>

#include "dltrain/data/batch_loader.h"
#include "dltrain/eval/classification_metrics.h"
#include "dltrain/io/metrics_log.h"
#include "dltrain/models/network.h"

namespace dltrain::train {

// The loss recorded is plain cross-entropy (the negative log-likelihood of the true class),
// whatever the training criterion: runs with focal or class-weighted losses stay comparable.
eval::ClassificationMetrics evaluate(const std::shared_ptr<models::Network>& model, data::BatchLoader& loader,
                                     int64_t num_classes, const c10::Device& device);

// The metric row for a split: "<split>/loss", accuracy, balanced_accuracy, macro_f1,
// top5_accuracy, worst_recall (the lowest recall of a class present in the split), then
// "<split>/recall/<class name>" per class (NaN for a class absent from the split).
io::MetricRow split_metrics(const std::string& split, const eval::ClassificationMetrics& metrics,
                            const std::vector<std::string>& class_names);

}  // namespace dltrain::train
