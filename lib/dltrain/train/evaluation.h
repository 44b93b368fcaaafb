// Runs a model over a whole split without gradients and accumulates classification metrics.
#pragma once

#include <c10/core/Device.h>

#include <memory>
#include <string>

#include "dltrain/data/batch_loader.h"
#include "dltrain/eval/classification_metrics.h"
#include "dltrain/io/metrics_log.h"
#include "dltrain/models/network.h"
#include "dltrain/train/loss_function.h"

namespace dltrain::train {

eval::ClassificationMetrics evaluate(const std::shared_ptr<models::Network>& model, data::BatchLoader& loader,
                                     const LossFunction& loss, int64_t num_classes, const c10::Device& device);

// The metric row for a split: "<split>/loss", "<split>/accuracy", balanced accuracy, macro-F1, top-5.
io::MetricRow split_metrics(const std::string& split, const eval::ClassificationMetrics& metrics);

}  // namespace dltrain::train
