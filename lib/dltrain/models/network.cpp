// Leaves are whatever is not a Network; the dynamic_cast per layer costs nothing next to a conv.
#include "dltrain/models/network.h"

#include "dltrain/models/fast_paths.h"

#include <torch/torch.h>

#include <typeinfo>

namespace dltrain::models {

std::string child_name(const std::string& prefix, const std::string& name) {
  return prefix.empty() ? name : prefix + "." + name;
}

torch::Tensor call_layer(torch::nn::AnyModule& layer, torch::Tensor x, LayerTrace* trace, const std::string& name) {
  if (auto* network = dynamic_cast<Network*>(layer.ptr().get())) {
    torch::Tensor y = network->trace(std::move(x), trace, name);
    if (trace && !trace->capture.empty() && trace->capture == name) trace->captured = y;
    return y;
  }
  if (trace == nullptr) return layer.forward(std::move(x));
  TracedLayer row{name, layer.ptr(), x.sizes().vec(), {}};
  torch::Tensor y = layer.forward(std::move(x));
  row.output_shape = y.sizes().vec();
  trace->layers.push_back(std::move(row));
  if (!trace->capture.empty() && trace->capture == name) trace->captured = y;
  return y;
}

ChainImpl& ChainImpl::add(const std::string& name, torch::nn::AnyModule layer) {
  register_module(name, layer.ptr());
  layers_.emplace_back(name, std::move(layer));
  return *this;
}

torch::Tensor ChainImpl::trace(torch::Tensor x, LayerTrace* trace, const std::string& prefix) {
  for (size_t i = 0; i < layers_.size(); ++i) {
    // A trace needs each layer's own output; an untraced pass may run layers as one operator.
    if (trace == nullptr) {
      if (const size_t ran = run_fast_path(layers_, i, x)) {
        i += ran - 1;
        continue;
      }
    }
    auto& [name, layer] = layers_[i];
    x = call_layer(layer, std::move(x), trace, child_name(prefix, name));
  }
  return x;
}

std::shared_ptr<ChainImpl> ChainImpl::rebuilt(Layers layers, const ChildMap& /*child*/) const {
  if (typeid(*this) != typeid(ChainImpl)) return nullptr;  // a subclass does more than its layers
  auto chain = std::make_shared<ChainImpl>();
  for (auto& [name, layer] : layers) chain->add(name, std::move(layer));
  return chain;
}

}  // namespace dltrain::models
