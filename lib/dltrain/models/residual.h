// A residual block: after(drop_path(main(x)) + shortcut(x)). The main path is the chain's own
// layers (so names read `conv1`, `bn1`, ... or `block.0.0` as in torchvision); the shortcut is
// identity unless a projection is given.
#pragma once

#include "dltrain/models/network.h"

namespace dltrain::models {

class ResidualImpl : public ChainImpl {
 public:
  ResidualImpl& shortcut(const std::string& name, torch::nn::AnyModule layer);
  ResidualImpl& after(const std::string& name, torch::nn::AnyModule layer);  // applied to the sum
  // Stochastic depth ("row" mode): while training, drops the main path per sample with this rate.
  ResidualImpl& drop_path(double rate);
  torch::Tensor trace(torch::Tensor x, LayerTrace* trace, const std::string& prefix) override;
  // The same block around `layers`, its shortcut and after-layer passed through `child`.
  std::shared_ptr<ChainImpl> rebuilt(Layers layers, const ChildMap& child) const override;

 private:
  std::string shortcut_name_, after_name_;
  torch::nn::AnyModule shortcut_, after_;
  double drop_rate_ = 0.0;
};
TORCH_MODULE(Residual);

}  // namespace dltrain::models
