#include "dltrain/train/data_parallel.h"

#include <torch/torch.h>

#include <cmath>
#include <vector>

#include "dltrain/dist/process_group.h"

namespace dltrain::train {
namespace {

// Sums numbers over the ranks in float64 (counts stay exact up to 2^53).
std::vector<double> summed(std::vector<double> values, dist::ProcessGroup& group) {
  std::vector<torch::Tensor> tensor{torch::tensor(values, torch::kFloat64).to(group.device())};
  group.allreduce_sum(tensor);
  const auto sums = tensor[0].to(torch::kCPU);
  return {sums.data_ptr<double>(), sums.data_ptr<double>() + sums.numel()};
}

}  // namespace

data::LoaderOptions loader_share(data::LoaderOptions options, const dist::ProcessGroup* group, bool training) {
  if (!group) return options;
  options.sampler.rank = group->rank();
  options.sampler.world_size = group->size();
  if (training) {
    options.batch_size /= group->size();
  } else {
    options.sampler.pad = false;
  }
  return options;
}

EpochTotals sum_over_ranks(const EpochTotals& local, dist::ProcessGroup* group) {
  if (!group) return local;
  const auto sums = summed({local.loss_sum, double(local.correct), double(local.samples)}, *group);
  return {sums[0], std::llround(sums[1]), std::llround(sums[2])};
}

eval::ClassificationMetrics sum_over_ranks(const eval::ClassificationMetrics& local, dist::ProcessGroup* group) {
  if (!group) return local;
  return eval::ClassificationMetrics::from_sums(local.num_classes(), summed(local.sums(), *group));
}

}  // namespace dltrain::train
