// Penalties are summed in the weights' dtype; the trainer adds them to the mean batch loss.
#include "dltrain/train/regularization.h"

#include <torch/torch.h>

namespace dltrain::train {

std::vector<torch::Tensor> penalized_weights(torch::nn::Module& model) {
  std::vector<torch::Tensor> weights;
  for (const auto& p : model.parameters())
    if (p.requires_grad() && p.dim() >= 2) weights.push_back(p);
  return weights;
}

torch::Tensor weight_penalty(const config::RegularizationConfig& config, const std::vector<torch::Tensor>& weights) {
  if ((config.l1 == 0 && config.l2 == 0) || weights.empty()) return {};
  torch::Tensor penalty = torch::zeros({}, weights.front().options());
  for (const auto& w : weights) {
    if (config.l1 > 0) penalty = penalty + config.l1 * w.abs().sum();
    if (config.l2 > 0) penalty = penalty + config.l2 * w.pow(2).sum();
  }
  return penalty;
}

}  // namespace dltrain::train
