#include "dltrain/models/batch_norm_folding.h"

#include <torch/torch.h>

#include <optional>
#include <utility>

#include "dltrain/core/torch_compat.h"

namespace dltrain::models {
namespace {

// Folded layers are plain modules holding tensors, not Conv2d/Linear: constructing those would
// draw initial weights from the generator that the training run is using.
class FoldedConv2dImpl : public torch::nn::Cloneable<FoldedConv2dImpl> {
 public:
  // `conv`'s geometry with `padding` (its numeric padding) and the folded weight and bias.
  FoldedConv2dImpl(torch::Tensor weight, torch::Tensor bias, const torch::nn::Conv2dImpl& conv,
                   std::vector<int64_t> padding)
      : weight_(std::move(weight)), bias_(std::move(bias)), stride_(c10::IntArrayRef(conv.options.stride()).vec()),
        padding_(std::move(padding)), dilation_(c10::IntArrayRef(conv.options.dilation()).vec()),
        groups_(conv.options.groups()) {}
  void reset() override {}
  torch::Tensor forward(const torch::Tensor& x) {
    return torch::conv2d(x, weight_, bias_, stride_, padding_, dilation_, groups_);
  }

 private:
  torch::Tensor weight_, bias_;
  std::vector<int64_t> stride_, padding_, dilation_;
  int64_t groups_;
};
TORCH_MODULE(FoldedConv2d);

// BatchNorm1d normalizes dim 1, the features only for [N, F] input; on [N, L, F] (a linear
// layer over a sequence) the pair keeps running unfolded.
class FoldedLinearImpl : public torch::nn::Cloneable<FoldedLinearImpl> {
 public:
  FoldedLinearImpl(torch::Tensor weight, torch::Tensor bias, torch::nn::Linear linear, torch::nn::BatchNorm1d norm)
      : weight_(std::move(weight)), bias_(std::move(bias)), linear_(std::move(linear)), norm_(std::move(norm)) {}
  void reset() override {}
  torch::Tensor forward(const torch::Tensor& x) {
    return x.dim() == 2 ? torch::linear(x, weight_, bias_) : norm_->forward(linear_->forward(x));
  }

 private:
  torch::Tensor weight_, bias_;
  torch::nn::Linear linear_;
  torch::nn::BatchNorm1d norm_;
};
TORCH_MODULE(FoldedLinear);

// The eval-mode batch norm as y = scale * x + shift per channel; nothing when it normalizes with
// batch statistics even in eval mode (track_running_stats: false).
template <class NormImpl>
std::optional<std::pair<torch::Tensor, torch::Tensor>> affine_map(const NormImpl& norm) {
  if (!norm.options.track_running_stats() || !norm.running_mean.defined()) return std::nullopt;
  auto scale = torch::rsqrt(norm.running_var + norm.options.eps());
  if (norm.options.affine()) scale = scale * norm.weight;
  auto shift = -norm.running_mean * scale;
  if (norm.options.affine()) shift = shift + norm.bias;
  return std::make_pair(scale, shift);
}

// A layer's weight [out, ...] and bias followed by y = scale * x + shift over `out`.
std::pair<torch::Tensor, torch::Tensor> folded(const torch::Tensor& weight, const torch::Tensor& bias,
                                               const std::pair<torch::Tensor, torch::Tensor>& map) {
  const auto& [scale, shift] = map;
  std::vector<int64_t> per_output(weight.dim(), 1);
  per_output[0] = -1;
  // The product keeps the weight's memory format (channels-last stays channels-last).
  return {weight * scale.reshape(per_output), bias.defined() ? bias * scale + shift : shift};
}

std::optional<torch::nn::AnyModule> fold_pair(const torch::nn::AnyModule& layer, const torch::nn::AnyModule& next) {
  if (auto conv = std::dynamic_pointer_cast<torch::nn::Conv2dImpl>(layer.ptr())) {
    auto norm = std::dynamic_pointer_cast<torch::nn::BatchNorm2dImpl>(next.ptr());
    const auto* padding = compat::variant_alternative<torch::ExpandingArray<2>>(conv->options.padding());
    const bool zero_padded = compat::variant_alternative<torch::enumtype::kZeros>(conv->options.padding_mode());
    if (!norm || padding == nullptr || !zero_padded) return std::nullopt;
    const auto map = affine_map(*norm);
    if (!map) return std::nullopt;
    auto [weight, bias] = folded(conv->weight, conv->bias, *map);
    return torch::nn::AnyModule(FoldedConv2d(weight, bias, *conv, c10::IntArrayRef(*padding).vec()));
  }
  if (auto linear = std::dynamic_pointer_cast<torch::nn::LinearImpl>(layer.ptr())) {
    auto norm = std::dynamic_pointer_cast<torch::nn::BatchNorm1dImpl>(next.ptr());
    if (!norm) return std::nullopt;
    const auto map = affine_map(*norm);
    if (!map) return std::nullopt;
    auto [weight, bias] = folded(linear->weight, linear->bias, *map);
    return torch::nn::AnyModule(FoldedLinear(weight, bias, torch::nn::Linear(linear), torch::nn::BatchNorm1d(norm)));
  }
  return std::nullopt;
}

std::shared_ptr<ChainImpl> fold_chain(const ChainImpl& chain);

// `child` with its pairs folded when it is a chain that folds; else `child` itself.
torch::nn::AnyModule folded_child(const torch::nn::AnyModule& child, bool& changed) {
  if (auto nested = std::dynamic_pointer_cast<ChainImpl>(child.ptr())) {
    if (auto folded = fold_chain(*nested)) {
      changed = true;
      return torch::nn::AnyModule(Chain(folded));
    }
  }
  return child;
}

// The chain (a residual block too) with its pairs folded, its nested chains and its shortcut
// included, or nullptr when nothing in it folds or it cannot be rebuilt.
std::shared_ptr<ChainImpl> fold_chain(const ChainImpl& chain) {
  ChainImpl::Layers layers;
  bool changed = false;
  const auto& original = chain.layers();
  for (std::size_t i = 0; i < original.size(); ++i) {
    const auto& [name, layer] = original[i];
    if (i + 1 < original.size()) {
      if (auto fused = fold_pair(layer, original[i + 1].second)) {
        layers.emplace_back(name, std::move(*fused));  // under the layer's name; the norm disappears
        changed = true;
        ++i;
        continue;
      }
    }
    layers.emplace_back(name, folded_child(layer, changed));
  }
  auto result = chain.rebuilt(std::move(layers), [&](const torch::nn::AnyModule& child) {
    return folded_child(child, changed);
  });
  return changed ? result : nullptr;
}

}  // namespace

std::shared_ptr<Network> fold_batch_norm(const std::shared_ptr<Network>& model) {
  torch::NoGradGuard no_grad;
  const auto chain = std::dynamic_pointer_cast<ChainImpl>(model);
  if (!chain) return model;
  auto result = fold_chain(*chain);
  if (!result) return model;
  result->eval();
  return result;
}

}  // namespace dltrain::models
