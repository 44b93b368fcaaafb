// LibTorch's C++ frontend has no forward hooks: Grad-CAM's activation is captured by running
// the model's trace() with LayerTrace::capture set, which keeps that layer's output in the graph.
#include "dltrain/train/explanation.h"

#include <fmt/format.h>
#include <torch/torch.h>

#include <algorithm>
#include <cmath>

#include "dltrain/core/error.h"

namespace dltrain::train {
namespace {

namespace F = torch::nn::functional;

std::vector<float> to_map(const torch::Tensor& map) {
  auto flat = map.detach().to(torch::kFloat32).contiguous().view(-1);
  return std::vector<float>(flat.data_ptr<float>(), flat.data_ptr<float>() + flat.numel());
}

torch::Tensor input_gradient(models::Network& model, const torch::Tensor& x, int64_t target) {
  auto inputs = x.detach().clone().requires_grad_(true);
  auto score = model.forward(inputs).select(1, target).sum();
  return torch::autograd::grad({score}, {inputs})[0];
}

torch::Tensor grad_cam(models::Network& model, const torch::Tensor& input, int64_t target, const std::string& layer) {
  models::LayerTrace trace;
  trace.capture = layer;
  auto logits = model.trace(input, &trace, "");
  if (!trace.captured.defined()) {
    std::string names;
    for (const auto& traced : trace.layers) names += (names.empty() ? "" : ", ") + traced.name;
    throw ConfigError("--layer: the model has no layer \"" + layer + "\"; its layers are " + names);
  }
  const auto activation = trace.captured;
  if (activation.dim() != 4) {
    throw ConfigError("--layer: \"" + layer + "\" gives a " + std::to_string(activation.dim()) +
                      "-D output; Grad-CAM needs a spatial feature map [N, C, H, W]");
  }
  const auto gradient = torch::autograd::grad({logits[0][target]}, {activation})[0];
  const auto weights = gradient.mean({2, 3}, /*keepdim=*/true);
  const auto cam = torch::relu((weights * activation).sum(1, /*keepdim=*/true));
  return F::interpolate(cam, F::InterpolateFuncOptions()
                                 .size(std::vector<int64_t>{input.size(2), input.size(3)})
                                 .mode(torch::kBilinear)
                                 .align_corners(false))[0][0];
}

// Integrated gradients per input element: (input - baseline) x the mean gradient along the
// straight path, at the midpoints of `steps` equal segments (a Riemann sum), all in one batch.
torch::Tensor integrated_gradients(models::Network& model, const torch::Tensor& input, const torch::Tensor& baseline,
                                   int64_t target, int64_t steps) {
  if (steps < 1) throw ConfigError("--steps: expected a positive number, got " + std::to_string(steps));
  std::vector<int64_t> alpha_shape(static_cast<size_t>(input.dim()), 1);
  alpha_shape[0] = steps;
  const auto alphas = ((torch::arange(steps, torch::kFloat32) + 0.5) / steps).view(alpha_shape);
  const auto path = baseline + alphas * (input - baseline);
  const auto mean_gradient = input_gradient(model, path, target).mean(0, /*keepdim=*/true);
  return ((input - baseline) * mean_gradient)[0];
}

std::vector<float> feature_attributions(models::Network& model, const torch::Tensor& input,
                                        const torch::Tensor& baseline, int64_t target, const ExplainOptions& options,
                                        const std::string& method) {
  if (method == "gradient_x_input") return to_map(input[0] * input_gradient(model, input, target)[0]);
  if (method == "integrated_gradients") return to_map(integrated_gradients(model, input, baseline, target, options.steps));
  if (method == "saliency") return to_map(input_gradient(model, input, target)[0].abs());
  throw ConfigError("--method: " + method + " needs images; for a table model use gradient_x_input, "
                    "integrated_gradients or saliency");
}

}  // namespace

std::string default_cam_layer(models::Network& model, const std::vector<int64_t>& input_shape) {
  models::LayerTrace trace;
  {
    torch::NoGradGuard no_grad;
    std::vector<int64_t> shape = {1};
    shape.insert(shape.end(), input_shape.begin(), input_shape.end());
    model.trace(torch::zeros(shape), &trace, "");
  }
  for (auto it = trace.layers.rbegin(); it != trace.layers.rend(); ++it) {
    const auto& out = it->output_shape;
    if (out.size() == 4 && out[2] * out[3] > 1) return it->name;
  }
  throw ConfigError("--method gradcam: the model has no layer with a spatial output (no convolutional stage)");
}

Explanation explain(models::Network& model, const torch::Tensor& input, const torch::Tensor& baseline,
                    const ExplainOptions& options) {
  Explanation result;
  {
    torch::NoGradGuard no_grad;
    const auto probabilities = torch::softmax(model.forward(input), 1)[0];
    result.predicted = probabilities.argmax().item<int64_t>();
    result.target = options.target >= 0 ? options.target : result.predicted;
    if (result.target >= probabilities.size(0)) {
      throw ConfigError(fmt::format("--target: class {} does not exist (the model has {} classes)", result.target,
                                    probabilities.size(0)));
    }
    result.probability = probabilities[result.target].item<double>();
  }
  const bool table = input.dim() == 2;
  result.method = options.method != "auto" ? options.method : table ? "gradient_x_input" : "gradcam";
  if (table) {
    result.map = feature_attributions(model, input, baseline, result.target, options, result.method);
  } else if (result.method == "gradcam") {
    result.layer = options.layer.empty() ? default_cam_layer(model, input.sizes().slice(1).vec()) : options.layer;
    result.map = to_map(grad_cam(model, input, result.target, result.layer));
  } else if (result.method == "saliency") {
    result.map = to_map(std::get<0>(input_gradient(model, input, result.target)[0].abs().max(0)));
  } else if (result.method == "integrated_gradients") {
    result.map = to_map(integrated_gradients(model, input, baseline, result.target, options.steps).sum(0).abs());
  } else {
    throw ConfigError("--method: expected gradcam, saliency or integrated_gradients for an image model, got \"" +
                      result.method + "\"");
  }
  return result;
}

std::vector<FeatureAttribution> ranked_attributions(const std::vector<std::string>& features,
                                                    const std::vector<double>& values,
                                                    const std::vector<float>& attributions) {
  std::vector<FeatureAttribution> ranked;
  for (size_t f = 0; f < features.size() && f < values.size() && f < attributions.size(); ++f)
    ranked.push_back({features[f], values[f], attributions[f]});
  std::stable_sort(ranked.begin(), ranked.end(), [](const auto& a, const auto& b) {
    return std::abs(a.attribution) > std::abs(b.attribution);
  });
  return ranked;
}

}  // namespace dltrain::train
