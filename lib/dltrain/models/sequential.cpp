// `sequential`: the model is the YAML layer list. Each layer is built for the shape the previous
// one produces (conv in-channels, linear in-features are inferred) and run once on a dummy batch,
// so a list that does not fit fails here naming the layer's index, type and both shapes. A final
// linear layer to num_classes is added when the list does not end with one.
#include <torch/torch.h>

#include "dltrain/core/error.h"
#include "dltrain/core/shape_text.h"
#include "dltrain/models/dropout.h"
#include "dltrain/models/layer_options.h"
#include "dltrain/models/layers.h"
#include "dltrain/models/model_families.h"
#include "dltrain/models/residual.h"

namespace dltrain::models {
namespace {

namespace nn = torch::nn;
using Shape = std::vector<int64_t>;  // one sample, no batch dimension

void require_rank(const LayerOptions& o, const Shape& in, std::initializer_list<size_t> ranks, const char* expected) {
  for (size_t rank : ranks)
    if (in.size() == rank) return;
  throw ConfigError(o.path() + ": " + o.type() + " expects input " + expected + ", got " + shape_text(in));
}

nn::AnyModule make_conv(LayerOptions& o, const Shape& in, bool depthwise) {
  require_rank(o, in, {3}, "[C, H, W]");
  const int64_t out = depthwise ? in[0] * o.positive_integer("multiplier", 1) : o.positive_integer("out");
  const int64_t kernel = o.positive_integer("kernel", 3);
  const int64_t groups = depthwise ? in[0] : o.positive_integer("groups", 1);
  if (in[0] % groups != 0 || out % groups != 0) {
    throw ConfigError(o.path() + ".groups: " + std::to_string(groups) + " does not divide " + std::to_string(in[0]) +
                      " input and " + std::to_string(out) + " output channels");
  }
  return nn::AnyModule(nn::Conv2d(nn::Conv2dOptions(in[0], out, kernel)
                                      .stride(o.positive_integer("stride", 1))
                                      .padding(o.padding("padding", kernel))
                                      .groups(groups)
                                      .bias(o.flag("bias", true))));
}

nn::AnyModule make_layer(LayerOptions& o, const Shape& in) {
  const std::string& type = o.type();
  if (type == "conv2d") return make_conv(o, in, false);
  if (type == "depthwise_conv2d") return make_conv(o, in, true);
  if (type == "linear") {
    return nn::AnyModule(nn::Linear(nn::LinearOptions(in.back(), o.positive_integer("out")).bias(o.flag("bias", true))));
  }
  if (type == "batchnorm") {
    return batch_norm(in[0], /*maps=*/in.size() == 3);  // [C, H, W]; [F] or [C, L]
  }
  if (type == "layernorm") return nn::AnyModule(nn::LayerNorm(nn::LayerNormOptions(in)));
  if (type == "groupnorm") {
    require_rank(o, in, {2, 3}, "[C, H, W] or [C, L]");
    const int64_t groups = o.positive_integer("groups");
    if (in[0] % groups != 0) {
      throw ConfigError(o.path() + ".groups: " + std::to_string(groups) + " does not divide the " +
                        std::to_string(in[0]) + " channels of " + shape_text(in));
    }
    return nn::AnyModule(nn::GroupNorm(groups, in[0]));
  }
  if (type == "instancenorm") {
    require_rank(o, in, {3}, "[C, H, W]");
    return nn::AnyModule(nn::InstanceNorm2d(nn::InstanceNorm2dOptions(in[0]).affine(true)));
  }
  if (type == "dropout") return nn::AnyModule(Dropout(o.fraction("p", 0.5)));
  if (type == "dropout2d") {
    require_rank(o, in, {3}, "[C, H, W]");
    return nn::AnyModule(nn::Dropout2d(o.fraction("p", 0.5)));
  }
  if (type == "max_pool2d" || type == "avg_pool2d") {
    require_rank(o, in, {3}, "[C, H, W]");
    const int64_t kernel = o.positive_integer("kernel", 2);
    const int64_t stride = o.positive_integer("stride", kernel);
    const int64_t padding = o.non_negative_integer("padding", 0);
    if (type == "max_pool2d") return nn::AnyModule(nn::MaxPool2d(nn::MaxPool2dOptions(kernel).stride(stride).padding(padding)));
    return nn::AnyModule(nn::AvgPool2d(nn::AvgPool2dOptions(kernel).stride(stride).padding(padding)));
  }
  if (type == "adaptive_avg_pool2d" || type == "adaptive_max_pool2d") {
    require_rank(o, in, {3}, "[C, H, W]");
    const int64_t size = o.positive_integer("size", 1);
    if (type == "adaptive_avg_pool2d") return nn::AnyModule(nn::AdaptiveAvgPool2d(size));
    return nn::AnyModule(nn::AdaptiveMaxPool2d(size));
  }
  if (type == "flatten") return nn::AnyModule(nn::Flatten());
  if (type == "leaky_relu") {
    return nn::AnyModule(nn::LeakyReLU(nn::LeakyReLUOptions().negative_slope(o.number("slope", 0.01))));
  }
  for (const char* activation : {"relu", "relu6", "elu", "gelu", "silu", "tanh", "sigmoid"})
    if (type == activation) return make_activation(type);
  throw ConfigError(o.path() + ".type: unknown layer type \"" + type +
                    "\"; expected one of conv2d, depthwise_conv2d, linear, batchnorm, layernorm, groupnorm, "
                    "instancenorm, dropout, dropout2d, max_pool2d, avg_pool2d, adaptive_avg_pool2d, "
                    "adaptive_max_pool2d, flatten, relu, relu6, leaky_relu, elu, gelu, silu, tanh, sigmoid, residual");
}

// One dummy batch through the new layer (eval mode, so batch norm statistics stay untouched).
Shape output_shape(nn::AnyModule& layer, const Shape& in, const LayerOptions& o) {
  Shape batch{2};
  batch.insert(batch.end(), in.begin(), in.end());
  torch::NoGradGuard no_grad;
  layer.ptr()->eval();
  torch::Tensor y;
  try {
    y = layer.forward(torch::zeros(batch));
  } catch (const std::exception& e) {
    std::string reason = e.what();
    reason = reason.substr(0, reason.find('\n'));
    throw ConfigError(o.path() + ": " + o.type() + " cannot take input of shape " + shape_text(in) + " (" + reason + ")");
  }
  layer.ptr()->train();
  return Shape(y.sizes().begin() + 1, y.sizes().end());
}

Shape add_layers(ChainImpl& chain, const std::vector<config::LayerConfig>& layers, Shape shape,
                 const std::string& path) {
  for (size_t i = 0; i < layers.size(); ++i) {
    const std::string layer_path = path + "[" + std::to_string(i) + "]";
    LayerOptions options(layers[i], layer_path);
    nn::AnyModule layer;
    if (layers[i].type == "residual") {
      if (layers[i].layers.empty()) throw ConfigError(layer_path + ": residual needs `layers`, the wrapped list");
      Residual block;
      const Shape out = add_layers(*block, layers[i].layers, shape, layer_path + ".layers");
      if (out != shape) {
        throw ConfigError(layer_path + ": residual block maps its input " + shape_text(shape) + " to " +
                          shape_text(out) + "; the wrapped layers must keep the shape so the input can be added");
      }
      layer = nn::AnyModule(block);
    } else {
      if (!layers[i].layers.empty())
        throw ConfigError(layer_path + ".layers: only residual wraps layers, " + layers[i].type + " does not");
      layer = make_layer(options, shape);
    }
    options.finish();
    shape = output_shape(layer, shape, options);
    chain.add(std::to_string(i), std::move(layer));
  }
  return shape;
}

}  // namespace

std::shared_ptr<Network> build_sequential(const config::ModelConfig& config, const ModelInput& input) {
  if (config.layers.empty()) throw ConfigError("model.layers: sequential needs a list of layers");
  auto model = std::make_shared<ChainImpl>();
  const Shape out = add_layers(*model, config.layers, input.input_shape, "model.layers");
  if (out != Shape{input.num_classes}) {
    int64_t features = 1;
    for (auto dim : out) features *= dim;
    if (out.size() > 1) model->add("flatten", nn::Flatten());
    model->add("logits", nn::Linear(features, input.num_classes));
  }
  return model;
}

}  // namespace dltrain::models
