// The model type every family builds: a torch::nn::Module whose forward pass can also be run as a
// trace that records each leaf layer's name, module and shapes. LibTorch's C++ frontend has no
// forward hooks, so the summary (shapes, MACs) and later Grad-CAM follow the model through this.
#pragma once

#include <torch/nn/module.h>
#include <torch/nn/modules/container/any.h>

#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <utility>
#include <vector>

namespace dltrain::models {

// One leaf layer as it ran: its dotted name (as in named_parameters()), module and shapes
// (batch dimension included).
struct TracedLayer {
  std::string name;
  std::shared_ptr<torch::nn::Module> module;
  std::vector<int64_t> input_shape;
  std::vector<int64_t> output_shape;
};

struct LayerTrace {
  std::vector<TracedLayer> layers;
  // When set, the output of the layer of this name (a leaf or a block such as "layer4") is kept
  // with its autograd history in `captured`: the activation Grad-CAM differentiates against.
  std::string capture;
  torch::Tensor captured;
};

// A module built of layers whose forward pass the trace can follow: whole models, chains and
// blocks (residual, squeeze-and-excitation) alike.
class Network : public torch::nn::Module {
 public:
  // The forward pass; with a trace, every leaf layer reached appends itself under `prefix`.
  virtual torch::Tensor trace(torch::Tensor x, LayerTrace* trace, const std::string& prefix) = 0;
  virtual torch::Tensor forward(torch::Tensor x) { return trace(std::move(x), nullptr, ""); }
};

// Runs one child: a Network is followed inside, any other module is a traced leaf.
torch::Tensor call_layer(torch::nn::AnyModule& layer, torch::Tensor x, LayerTrace* trace, const std::string& name);

std::string child_name(const std::string& prefix, const std::string& name);

// Named layers applied in order, registered under their names so parameters are named like
// torchvision's (`layer1.0.conv1.weight`). Used for whole models and nested stages.
class ChainImpl : public Network {
 public:
  using Layers = std::vector<std::pair<std::string, torch::nn::AnyModule>>;
  using ChildMap = std::function<torch::nn::AnyModule(const torch::nn::AnyModule&)>;

  ChainImpl& add(const std::string& name, torch::nn::AnyModule layer);
  template <class ModuleHolder>
  ChainImpl& add(const std::string& name, ModuleHolder layer) {
    return add(name, torch::nn::AnyModule(std::move(layer)));
  }
  torch::Tensor trace(torch::Tensor x, LayerTrace* trace, const std::string& prefix) override;
  std::size_t size() const { return layers_.size(); }
  const Layers& layers() const { return layers_; }
  // A chain of this kind holding `layers` in place of its own, with its other children (a
  // residual block's shortcut and after-layer) passed through `child`: how batch-norm folding
  // rebuilds a network. Null for a subclass that does not say how (squeeze-and-excitation).
  virtual std::shared_ptr<ChainImpl> rebuilt(Layers layers, const ChildMap& child) const;

 private:
  Layers layers_;
};
TORCH_MODULE(Chain);

}  // namespace dltrain::models
