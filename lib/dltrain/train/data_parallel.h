// What a data-parallel rank takes (its share of the loader's samples) and gives back (counts
// summed over the ranks). Metrics come from those sums -- never from an average of per-rank
// averages, which would weigh a rank's samples by how many it had.
#pragma once

#include <cstdint>

#include "dltrain/data/batch_loader.h"
#include "dltrain/eval/classification_metrics.h"

namespace dltrain::dist {
class ProcessGroup;
}

namespace dltrain::train {

// A rank's loader options: its share of every epoch. Training batches split the global
// batch_size evenly over the ranks, so that the ranks' k-th batches together are a single
// process's k-th batch; evaluation shares are unpadded. `group` null: unchanged.
data::LoaderOptions loader_share(data::LoaderOptions options, const dist::ProcessGroup* group, bool training);

struct EpochTotals {
  double loss_sum = 0.0;
  int64_t correct = 0;
  int64_t samples = 0;
};

// The totals over every rank; `group` null (one process): unchanged.
EpochTotals sum_over_ranks(const EpochTotals& local, dist::ProcessGroup* group);
eval::ClassificationMetrics sum_over_ranks(const eval::ClassificationMetrics& local, dist::ProcessGroup* group);

}  // namespace dltrain::train
