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
  std::string method = "gradcam";  // gradcam | saliency | integrated_gradients
  std::string layer;               // gradcam: a layer or block name; "" = default_cam_layer
  int64_t target = -1;             // class to explain; -1 = the predicted class
  int64_t steps = 32;              // integrated_gradients: points on the path, > 0
};

struct Explanation {
  std::vector<float> map;  // H*W, row-major, at the input's resolution; larger = more attribution
  int64_t target = 0;      // the explained class
  int64_t predicted = 0;
  double probability = 0;  // of the explained class
  std::string layer;       // gradcam: the layer used
};

// The last layer whose output is a spatial feature map (4-D, more than one position): the last
// convolutional stage. ConfigError when the model has none.
std::string default_cam_layer(models::Network& model, const std::vector<int64_t>& input_shape);

// `input`: one normalized sample [1, C, H, W]; `baseline` (integrated_gradients): the
// normalized black image of the same shape. The model should be in eval mode.
Explanation explain(models::Network& model, const torch::Tensor& input, const torch::Tensor& baseline,
                    const ExplainOptions& options);

}  // namespace dltrain::train
