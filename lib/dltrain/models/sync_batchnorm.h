// Batch normalization whose training statistics come from the whole data-parallel batch (every
// rank's share), as torch.nn.SyncBatchNorm: with small per-rank batches the per-rank statistics
// are noisy, and a job of R ranks x B/R samples then trains exactly like one process with B.
// Parameters and buffers have BatchNorm's names, so checkpoints move between the two freely.
// models/ knows nothing of process groups: the sum over ranks comes in as a function.
#pragma once

#include <torch/nn/module.h>
#include <torch/nn/pimpl.h>

#include <functional>
#include <vector>

namespace dltrain::models {

// Replaces each tensor by its element-wise sum over the ranks (in place).
using RankSum = std::function<void(std::vector<torch::Tensor>&)>;

class SyncBatchNormImpl : public torch::nn::Module {
 public:
  SyncBatchNormImpl(int64_t features, RankSum sum, double eps = 1e-5, double momentum = 0.1);
  // [N, C] or [N, C, ...]: training normalizes with the statistics of all ranks' batches and
  // updates the running ones; evaluation uses the running ones, like BatchNorm.
  torch::Tensor forward(const torch::Tensor& input);

  torch::Tensor weight, bias, running_mean, running_var, num_batches_tracked;

 private:
  RankSum sum_;
  double eps_, momentum_;
};
TORCH_MODULE(SyncBatchNorm);

// While a scope is alive, the model builders make SyncBatchNorm layers (summing through `sum`)
// wherever a config asks for batch normalization.
class SyncBatchNormScope {
 public:
  explicit SyncBatchNormScope(RankSum sum);
  ~SyncBatchNormScope();
  SyncBatchNormScope(const SyncBatchNormScope&) = delete;
  SyncBatchNormScope& operator=(const SyncBatchNormScope&) = delete;
};

// The scope's sum, or null outside one.
const RankSum* sync_batchnorm_sum();

}  // namespace dltrain::models
