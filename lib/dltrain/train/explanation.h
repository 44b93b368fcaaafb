// `dltrain explain`: where in an image a model's class score comes from. Grad-CAM (Selvaraju
// et al. 2017) weighs a layer's feature maps by their mean gradient; saliency is |d score / d
// pixel| (Simonyan et al. 2014); integrated gradients (Sundararajan et al. 2017) average the
// gradient along the straight path from a black image to the input.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include <torch/types.h>

#include "dltrain/models/network.h"

namespace dltrain::train {

struct ExplainOptions {
  // auto (gradcam for images, gradient_x_input for tables) | gradcam | saliency |
  // integrated_gradients | gradient_x_input (tables)
  std::string method = "auto";
  std::string layer;               // gradcam: a layer or block name; "" = default_cam_layer
  int64_t target = -1;             // class to explain; -1 = the predicted class
  int64_t steps = 32;              // integrated_gradients: points on the path, > 0
};

struct Explanation {
  // Images: H*W, row-major, at the input's resolution; larger = more attribution. Tables: one
  // signed attribution per feature (positive pushes toward the target class).
  std::vector<float> map;
  std::string method;      // the method used (auto resolved)
  int64_t target = 0;      // the explained class
  int64_t predicted = 0;
  double probability = 0;  // of the explained class
  std::string layer;       // gradcam: the layer used
};

// The last layer whose output is a spatial feature map (4-D, more than one position): the last
// convolutional stage. ConfigError when the model has none.
std::string default_cam_layer(models::Network& model, const std::vector<int64_t>& input_shape);

// `input`: one normalized sample, [1, C, H, W] or a standardized table row [1, F]; `baseline`
// (integrated_gradients): the normalized black image, or the zero row (the training mean).
// The model should be in eval mode.
Explanation explain(models::Network& model, const torch::Tensor& input, const torch::Tensor& baseline,
                    const ExplainOptions& options);

struct FeatureAttribution {
  std::string feature;
  double value = 0;        // the input's own value, in the table's units
  double attribution = 0;
};

// A table row's attributions with their features and values, largest |attribution| first.
std::vector<FeatureAttribution> ranked_attributions(const std::vector<std::string>& features,
                                                    const std::vector<double>& values,
                                                    const std::vector<float>& attributions);

}  // namespace dltrain::train
