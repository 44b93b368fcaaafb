// The gate is the chain's own path; the block multiplies its input by it.
#include "dltrain/models/squeeze_excitation.h"

#include <torch/torch.h>

namespace dltrain::models {

SqueezeExcitationImpl::SqueezeExcitationImpl(int64_t channels, int64_t squeeze_channels,
                                             torch::nn::AnyModule activation) {
  namespace nn = torch::nn;
  add("avgpool", nn::AdaptiveAvgPool2d(1));
  add("fc1", nn::Conv2d(nn::Conv2dOptions(channels, squeeze_channels, 1)));
  add("activation", std::move(activation));
  add("fc2", nn::Conv2d(nn::Conv2dOptions(squeeze_channels, channels, 1)));
  add("scale_activation", nn::Sigmoid());
}

torch::Tensor SqueezeExcitationImpl::trace(torch::Tensor x, LayerTrace* trace, const std::string& prefix) {
  return x * ChainImpl::trace(x, trace, prefix);
}

}  // namespace dltrain::models
