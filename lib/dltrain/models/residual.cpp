// The drop-path mask scales survivors by 1/(1-rate) so the expected output is unchanged.
#include "dltrain/models/residual.h"

#include <torch/torch.h>

namespace dltrain::models {

ResidualImpl& ResidualImpl::shortcut(const std::string& name, torch::nn::AnyModule layer) {
  register_module(name, layer.ptr());
  shortcut_name_ = name;
  shortcut_ = std::move(layer);
  return *this;
}

ResidualImpl& ResidualImpl::after(const std::string& name, torch::nn::AnyModule layer) {
  register_module(name, layer.ptr());
  after_name_ = name;
  after_ = std::move(layer);
  return *this;
}

ResidualImpl& ResidualImpl::drop_path(double rate) {
  drop_rate_ = rate;
  return *this;
}

torch::Tensor ResidualImpl::trace(torch::Tensor x, LayerTrace* trace, const std::string& prefix) {
  torch::Tensor main = ChainImpl::trace(x, trace, prefix);
  if (drop_rate_ > 0.0 && is_training()) {
    const double survival = 1.0 - drop_rate_;
    std::vector<int64_t> mask_shape(main.dim(), 1);
    mask_shape[0] = main.size(0);
    main = main * torch::empty(mask_shape, main.options()).bernoulli_(survival).div_(survival);
  }
  torch::Tensor identity =
      shortcut_.is_empty() ? x : call_layer(shortcut_, x, trace, child_name(prefix, shortcut_name_));
  torch::Tensor sum = main + identity;
  return after_.is_empty() ? sum : call_layer(after_, std::move(sum), trace, child_name(prefix, after_name_));
}

std::shared_ptr<ChainImpl> ResidualImpl::rebuilt(Layers layers, const ChildMap& child) const {
  auto block = std::make_shared<ResidualImpl>();
  for (auto& [name, layer] : layers) block->add(name, std::move(layer));
  if (!shortcut_.is_empty()) block->shortcut(shortcut_name_, child(shortcut_));
  if (!after_.is_empty()) block->after(after_name_, child(after_));
  block->drop_path(drop_rate_);
  block->train(is_training());
  return block;
}

}  // namespace dltrain::models
