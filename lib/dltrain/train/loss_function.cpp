// Thin wrapper over LibTorch's cross_entropy so both reductions share the options.
#include "dltrain/train/loss_function.h"

#include <torch/torch.h>

namespace dltrain::train {
namespace F = torch::nn::functional;

torch::Tensor LossFunction::mean(const torch::Tensor& logits, const torch::Tensor& targets) const {
  return F::cross_entropy(logits, targets, F::CrossEntropyFuncOptions().label_smoothing(config_.label_smoothing));
}

torch::Tensor LossFunction::sum(const torch::Tensor& logits, const torch::Tensor& targets) const {
  return F::cross_entropy(
      logits, targets, F::CrossEntropyFuncOptions().label_smoothing(config_.label_smoothing).reduction(torch::kSum));
}

}  // namespace dltrain::train
