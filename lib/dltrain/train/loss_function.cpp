// Cross-entropy is LibTorch's own; focal loss is written over log-softmax so it stays finite
// where p underflows.
#include "dltrain/train/loss_function.h"

#include <torch/torch.h>

namespace dltrain::train {
namespace F = torch::nn::functional;

LossFunction::LossFunction(const config::LossConfig& config, const std::vector<double>& class_weights)
    : config_(config) {
  if (!class_weights.empty()) weights_ = torch::tensor(class_weights, torch::kFloat32);
}

const torch::Tensor& LossFunction::weights_on(const torch::Device& device) const {
  if (weights_.defined() && weights_.device() != device) weights_ = weights_.to(device);
  return weights_;
}

torch::Tensor LossFunction::mean(const torch::Tensor& logits, const torch::Tensor& targets) const {
  if (config_.type == "focal") return focal(logits, targets);
  auto options = F::CrossEntropyFuncOptions().label_smoothing(config_.label_smoothing);
  if (weights_.defined()) options.weight(weights_on(logits.device()));
  return F::cross_entropy(logits, targets, options);
}

torch::Tensor LossFunction::focal(const torch::Tensor& logits, const torch::Tensor& targets) const {
  const int64_t k = logits.size(1);
  auto log_p = F::log_softmax(logits, F::LogSoftmaxFuncOptions(1));
  auto q = targets.is_floating_point() ? targets.to(log_p.dtype()) : F::one_hot(targets, k).to(log_p.dtype());
  if (config_.label_smoothing > 0) q = q * (1.0 - config_.label_smoothing) + config_.label_smoothing / double(k);
  auto terms = -q * (1.0 - log_p.exp()).pow(config_.gamma) * log_p;
  if (weights_.defined()) terms = terms * weights_on(logits.device());
  return terms.sum(1).mean();
}

}  // namespace dltrain::train
