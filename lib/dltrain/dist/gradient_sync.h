// Data parallelism by hand (LibTorch's C++ API has no DistributedDataParallel): every rank
// starts from rank 0's weights, and after each backward the gradients of the trainable
// parameters are averaged over the ranks, packed into flat buckets of about bucket_mb so that a
// model costs a few large all-reduces instead of one per tensor.
#pragma once

#include <torch/types.h>

#include <cstdint>
#include <vector>

namespace torch::nn {
class Module;
}

namespace dltrain::dist {

class ProcessGroup;

// Makes every rank's parameters and buffers rank 0's (at start, and before evaluating, since
// batch-norm running statistics are per rank).
void broadcast_parameters(ProcessGroup& group, torch::nn::Module& module);
void broadcast_buffers(ProcessGroup& group, torch::nn::Module& module);

class GradientSync {
 public:
  GradientSync(ProcessGroup& group, torch::nn::Module& module, double bucket_mb);

  // Replaces each trainable parameter's gradient by its mean over the ranks (an undefined one
  // counts as zeros, so every rank sends the same layout). `local_flags` travel in the same
  // all-reduce and come back OR-ed over the ranks, so that decisions taken on them (skip a
  // non-finite step, stop for a signal) are the same everywhere.
  uint32_t average(uint32_t local_flags);

  // Wall time spent inside average() so far (packing, all-reduce, unpacking).
  double seconds() const { return seconds_; }

 private:
  ProcessGroup& group_;
  torch::nn::Module& module_;
  int64_t bucket_bytes_;
  double seconds_ = 0.0;
};

}  // namespace dltrain::dist
