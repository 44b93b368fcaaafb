// A hook the trainer calls after each epoch's metrics are written (hyperparameter search reports
// them to its study). Returning true stops training there, with stop reason "pruned".
#pragma once

#include <cstdint>
#include <functional>

#include "dltrain/io/metrics_log.h"

namespace dltrain::train {

using EpochEndHook = std::function<bool(int64_t epoch, const io::MetricRow& row)>;

}  // namespace dltrain::train
