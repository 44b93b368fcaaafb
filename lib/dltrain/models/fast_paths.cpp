#include "dltrain/models/fast_paths.h"

#include <torch/torch.h>

#include "dltrain/models/fused_head.h"
#include "dltrain/models/norm_pool_relu.h"
#include "dltrain/models/onednn_conv.h"
#include "dltrain/models/parallel_linear.h"

namespace dltrain::models {

std::size_t run_fast_path(const ChainImpl::Layers& layers, std::size_t first, torch::Tensor& x) {
  if (const auto stage = fusable_conv_norm_pool_relu(layers, first, x); stage.conv != nullptr) {
    x = conv_norm_pool_relu(x, *stage.conv, *stage.norm);
    return 4;
  }
  if (auto* norm = fusable_norm_pool_relu(layers, first, x)) {
    x = norm_pool_relu(x, *norm);
    return 3;
  }
  if (const auto head = fusable_head(layers, first, x); head.layers > 0) {
    x = fused_head(x, head);
    return head.layers;
  }
  auto* conv = layers[first].second.ptr()->as<torch::nn::Conv2dImpl>();
  if (conv != nullptr && onednn_conv2d_applies(x, *conv)) {
    x = onednn_conv2d(x, *conv);
    return 1;
  }
  auto* linear = layers[first].second.ptr()->as<torch::nn::LinearImpl>();
  if (linear != nullptr && parallel_linear_applies(x, *linear)) {
    x = parallel_linear(x, *linear);
    return 1;
  }
  return 0;
}

}  // namespace dltrain::models
