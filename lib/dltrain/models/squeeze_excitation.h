// Squeeze-and-excitation (torchvision's SqueezeExcitation): x * sigmoid(fc2(act(fc1(avgpool(x))))),
// with children named avgpool, fc1, activation, fc2, scale_activation.
#pragma once

#include "dltrain/models/network.h"

namespace dltrain::models {

class SqueezeExcitationImpl : public ChainImpl {
 public:
  SqueezeExcitationImpl(int64_t channels, int64_t squeeze_channels, torch::nn::AnyModule activation);
  torch::Tensor trace(torch::Tensor x, LayerTrace* trace, const std::string& prefix) override;
};
TORCH_MODULE(SqueezeExcitation);

}  // namespace dltrain::models
