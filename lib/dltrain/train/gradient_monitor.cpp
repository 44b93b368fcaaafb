// Layers are parameter tensors ("3.weight"): the granularity optimizers and checkpoints use.
#include "dltrain/train/gradient_monitor.h"

#include <spdlog/spdlog.h>
#include <torch/torch.h>

#include <cmath>

namespace dltrain::train {

GradientMonitor::GradientMonitor(const config::GradMonitorConfig& config,
                                 std::vector<std::pair<std::string, torch::Tensor>> params)
    : config_(config) {
  for (auto& [name, param] : params)
    if (param.requires_grad()) layers_.push_back({name, param, {}});
}

void GradientMonitor::before_step() {
  torch::NoGradGuard no_grad;
  double squares = 0.0;
  for (auto& layer : layers_) {
    const auto& grad = layer.param.grad();
    layer.grad_norm = grad.defined() ? grad.norm().item<double>() : 0.0;
    squares += layer.grad_norm * layer.grad_norm;
    layer.before = layer.param.detach().clone();
  }
  total_ = std::sqrt(squares);
}

io::MetricRow GradientMonitor::after_step() {
  torch::NoGradGuard no_grad;
  io::MetricRow row;
  row.push_back({"grad_norm/total", total_});
  for (auto& layer : layers_) row.push_back({"grad_norm/" + layer.name, layer.grad_norm});
  for (auto& layer : layers_) {
    const double weight = layer.before.norm().item<double>();
    const double update = (layer.param.detach() - layer.before).norm().item<double>();
    row.push_back({"update_ratio/" + layer.name, update / (weight + 1e-12)});
    layer.before = torch::Tensor();
    watch(layer);
  }
  return row;
}

void GradientMonitor::watch(Layer& layer) {
  layer.low = layer.grad_norm < config_.vanishing ? layer.low + 1 : 0;
  layer.high = layer.grad_norm > config_.exploding ? layer.high + 1 : 0;
  if (layer.low >= config_.patience && !layer.warned_low) {
    layer.warned_low = true;
    spdlog::warn("vanishing gradients: layer {} has had a gradient norm below {:g} for {} checks (now {:.3g}); "
                 "consider another init (model.init), normalization, or a higher optimizer.lr",
                 layer.name, config_.vanishing, layer.low, layer.grad_norm);
  }
  if (layer.high >= config_.patience && !layer.warned_high) {
    layer.warned_high = true;
    spdlog::warn("exploding gradients: layer {} has had a gradient norm above {:g} for {} checks (now {:.3g}); "
                 "consider train.grad_clip or a lower optimizer.lr",
                 layer.name, config_.exploding, layer.high, layer.grad_norm);
  }
}

}  // namespace dltrain::train
