#include "dltrain/models/onednn_conv.h"

#include <torch/torch.h>

#include "dltrain/core/torch_compat.h"

#if DLTRAIN_HAS_ONEDNN
#include <ATen/record_function.h>

#include <dnnl.hpp>

#include <array>
#include <tuple>
#include <unordered_map>
#include <vector>

#include "dltrain/models/onednn_support.h"
#endif

#if DLTRAIN_HAS_ONEDNN
namespace dltrain::models {
namespace {

// The conv options onednn_conv2d takes: groups 1, dilation 1, an explicit zero padding.
bool plain_conv2d(const torch::nn::Conv2dImpl& conv) {
  const auto& o = conv.options;
  const std::array<int64_t, 2> one{1, 1};
  return o.groups() == 1 && *o.dilation() == one &&
         compat::variant_alternative<torch::ExpandingArray<2>>(o.padding()) != nullptr &&
         compat::variant_alternative<torch::enumtype::kZeros>(o.padding_mode()) != nullptr;
}

bool float32_on_cpu(const torch::Tensor& t) {
  return t.defined() && t.device().is_cpu() && t.scalar_type() == torch::kFloat32;
}

using dnnl::memory;
using Tag = memory::format_tag;

// What a set of primitives is built for.
struct ConvShape {
  std::array<int64_t, 4> input;   // N, C, H, W
  std::array<int64_t, 4> weight;  // O, C, KH, KW
  std::array<int64_t, 4> geometry;  // stride h, w; padding h, w
  bool bias;
  bool weight_channels_last;
  bool operator<(const ConvShape& other) const {
    return std::tie(input, weight, geometry, bias, weight_channels_last) <
           std::tie(other.input, other.weight, other.geometry, other.bias, other.weight_channels_last);
  }
};

using onednn::cpu_engine;
using onednn::wrap;

memory::dims dims_of(const std::array<int64_t, 4>& a) { return {a[0], a[1], a[2], a[3]}; }

// A reorder between two weight layouts, built once; empty where the layouts agree.
struct WeightReorder {
  WeightReorder() = default;
  WeightReorder(const memory::desc& from, const memory::desc& to) : to(to) {
    if (from != to) primitive = dnnl::reorder(dnnl::reorder::primitive_desc(cpu_engine(), from, cpu_engine(), to));
  }
  memory::desc to;
  dnnl::reorder primitive;
};

// The primitives of one shape, the layouts they want and the weight reorders between them.
struct ConvPrimitives {
  explicit ConvPrimitives(const ConvShape& s) {
    auto& engine = cpu_engine();
    const memory::dims strides = {s.geometry[0], s.geometry[1]}, padding = {s.geometry[2], s.geometry[3]};
    const int64_t out_h = (s.input[2] + 2 * s.geometry[2] - s.weight[2]) / s.geometry[0] + 1;
    const int64_t out_w = (s.input[3] + 2 * s.geometry[3] - s.weight[3]) / s.geometry[1] + 1;
    output = {s.input[0], s.weight[0], out_h, out_w};
    src = memory::desc(dims_of(s.input), memory::data_type::f32, Tag::nhwc);
    dst = memory::desc(dims_of(output), memory::data_type::f32, Tag::nhwc);
    user_weight = memory::desc(dims_of(s.weight), memory::data_type::f32, s.weight_channels_last ? Tag::ohwi : Tag::oihw);
    const memory::desc any_weight(dims_of(s.weight), memory::data_type::f32, Tag::any);
    const memory::desc bias_desc = s.bias ? memory::desc({s.weight[0]}, memory::data_type::f32, Tag::x) : memory::desc();
    const auto algorithm = dnnl::algorithm::convolution_direct;
    const dnnl::convolution_forward::primitive_desc forward_pd(
        dnnl::convolution_forward::desc(dnnl::prop_kind::forward_training, algorithm, src, any_weight, bias_desc, dst,
                                        strides, padding, padding),
        engine);
    forward = dnnl::convolution_forward(forward_pd);
    weight_to_forward = WeightReorder(user_weight, forward_pd.weights_desc());
    bias = forward_pd.bias_desc();
    const dnnl::convolution_backward_weights::primitive_desc weights_pd(
        dnnl::convolution_backward_weights::desc(algorithm, src, any_weight, bias_desc, dst, strides, padding, padding),
        engine, forward_pd);
    weights = dnnl::convolution_backward_weights(weights_pd);
    weight_gradient = weights_pd.diff_weights_desc();
    weight_gradient_to_user = WeightReorder(weight_gradient, user_weight);
    bias_gradient = weights_pd.diff_bias_desc();
    // With stride 1, the input gradient is a forward convolution of the output gradient with the
    // weight flipped in space and its channel axes swapped, padded by K - 1 - p: oneDNN 2.6 has
    // its faster brgemm kernels for forward convolutions only (quickstart: 1.1 against 1.2 ms).
    // Only the primitive that runs is built: each is compiled code, about 0.5 ms per shape.
    const int64_t flipped_pad_h = s.weight[2] - 1 - s.geometry[2], flipped_pad_w = s.weight[3] - 1 - s.geometry[3];
    if (s.geometry[0] == 1 && s.geometry[1] == 1 && flipped_pad_h >= 0 && flipped_pad_w >= 0) {
      const memory::dims flipped_dims = {s.weight[1], s.weight[0], s.weight[2], s.weight[3]};
      flipped_weight = memory::desc(flipped_dims, memory::data_type::f32, Tag::oihw);
      const memory::dims flipped_padding = {flipped_pad_h, flipped_pad_w};
      const dnnl::convolution_forward::primitive_desc data_as_forward_pd(
          dnnl::convolution_forward::desc(dnnl::prop_kind::forward_inference, algorithm, dst,
                                          memory::desc(flipped_dims, memory::data_type::f32, Tag::any), src,
                                          strides, flipped_padding, flipped_padding),
          engine);
      data_as_forward = dnnl::convolution_forward(data_as_forward_pd);
      weight_to_data = WeightReorder(flipped_weight, data_as_forward_pd.weights_desc());
    } else {
      const dnnl::convolution_backward_data::primitive_desc data_pd(
          dnnl::convolution_backward_data::desc(algorithm, src, any_weight, dst, strides, padding, padding), engine,
          forward_pd);
      data = dnnl::convolution_backward_data(data_pd);
      weight_to_data = WeightReorder(user_weight, data_pd.weights_desc());
    }
  }

  bool data_is_forward() const { return static_cast<bool>(data_as_forward); }

  std::array<int64_t, 4> output;
  memory::desc src, dst, user_weight, bias, weight_gradient, bias_gradient;
  dnnl::convolution_forward forward;
  dnnl::convolution_backward_weights weights;
  WeightReorder weight_to_forward, weight_gradient_to_user;
  // The input gradient: a forward convolution with the flipped weight [C, O, KH, KW] (plain) where
  // the stride is 1, else the backward-data primitive; weight_to_data feeds whichever runs.
  memory::desc flipped_weight;
  dnnl::convolution_forward data_as_forward;
  dnnl::convolution_backward_data data;
  WeightReorder weight_to_data;
};

// The weight flipped in space with its channel axes swapped, plain [C, O, KH, KW]: the kernel of
// the input gradient as a forward convolution.
torch::Tensor flipped_weight(const torch::Tensor& weight) {
  const int64_t O = weight.size(0), C = weight.size(1), KH = weight.size(2), KW = weight.size(3);
  auto flipped = torch::empty({C, O, KH, KW}, torch::kFloat32);
  const float* w = weight.data_ptr<float>();
  float* f = flipped.data_ptr<float>();
  const auto st = weight.strides();
  for (int64_t c = 0; c < C; ++c)
    for (int64_t o = 0; o < O; ++o)
      for (int64_t h = 0; h < KH; ++h)
        for (int64_t x = 0; x < KW; ++x)
          f[((c * O + o) * KH + h) * KW + x] = w[o * st[0] + c * st[1] + (KH - 1 - h) * st[2] + (KW - 1 - x) * st[3]];
  return flipped;
}

std::shared_ptr<const ConvPrimitives> primitives_for(const ConvShape& shape) {
  return onednn::primitives_for<ConvShape, ConvPrimitives>(shape);
}

// A buffer laid out as `desc`, its storage in `storage`.
memory buffer_for(const memory::desc& desc, torch::Tensor& storage) {
  storage = torch::empty({static_cast<int64_t>(desc.get_size() / sizeof(float))}, torch::kFloat32);
  return wrap(desc, storage);
}

// `from` laid out as `reorder` leads: itself where the layouts agree, else reordered into a buffer.
memory reordered(const WeightReorder& reorder, memory from, dnnl::stream& stream, torch::Tensor& storage) {
  if (!reorder.primitive) return from;
  memory to = buffer_for(reorder.to, storage);
  reorder.primitive.execute(stream, from, to);
  return to;
}

// `geometry`: stride h, w; padding h, w.
ConvShape shape_of(const torch::Tensor& input, const torch::Tensor& weight, const std::array<int64_t, 4>& geometry,
                   bool bias) {
  return {{input.size(0), input.size(1), input.size(2), input.size(3)},
          {weight.size(0), weight.size(1), weight.size(2), weight.size(3)},
          geometry,
          bias,
          !weight.is_contiguous()};
}

torch::Tensor channels_last_empty(const std::array<int64_t, 4>& sizes) {
  return torch::empty({sizes[0], sizes[1], sizes[2], sizes[3]},
                      torch::TensorOptions(torch::kFloat32).memory_format(torch::MemoryFormat::ChannelsLast));
}

struct OneDnnConv2d : public torch::autograd::Function<OneDnnConv2d> {
  static torch::Tensor forward(torch::autograd::AutogradContext* ctx, const torch::Tensor& input,
                               const torch::Tensor& weight, const torch::Tensor& bias, const ConvShape& shape) {
    RECORD_FUNCTION("dltrain::onednn_conv2d", std::vector<c10::IValue>());  // named in train.profile_steps
    const auto primitives = primitives_for(shape);
    dnnl::stream stream(cpu_engine());
    auto output = channels_last_empty(primitives->output);
    torch::Tensor blocked;
    const memory weight_memory = reordered(primitives->weight_to_forward, wrap(primitives->user_weight, weight), stream,
                                           blocked);
    std::unordered_map<int, memory> args{{DNNL_ARG_SRC, wrap(primitives->src, input)},
                                         {DNNL_ARG_WEIGHTS, weight_memory},
                                         {DNNL_ARG_DST, wrap(primitives->dst, output)}};
    if (shape.bias) args.emplace(DNNL_ARG_BIAS, wrap(primitives->bias, bias));
    primitives->forward.execute(stream, args);
    stream.wait();
    ctx->save_for_backward({input, weight});
    ctx->saved_data["geometry"] = std::vector<int64_t>(shape.geometry.begin(), shape.geometry.end());
    ctx->saved_data["bias"] = shape.bias;
    return output;
  }

  static torch::autograd::tensor_list backward(torch::autograd::AutogradContext* ctx,
                                               torch::autograd::tensor_list grads) {
    const auto saved = ctx->get_saved_variables();
    const torch::Tensor& input = saved[0];
    const torch::Tensor& weight = saved[1];
    const auto g = ctx->saved_data["geometry"].toIntVector();
    const ConvShape shape = shape_of(input, weight, {g[0], g[1], g[2], g[3]}, ctx->saved_data["bias"].toBool());
    const auto primitives = primitives_for(shape);
    const auto grad = grads[0].contiguous(torch::MemoryFormat::ChannelsLast);
    dnnl::stream stream(cpu_engine());
    const memory grad_memory = wrap(primitives->dst, grad);
    torch::Tensor grad_input, grad_weight, grad_bias;
    if (ctx->needs_input_grad(0)) {
      grad_input = channels_last_empty(shape.input);
      const memory grad_input_memory = wrap(primitives->src, grad_input);
      torch::Tensor blocked;
      if (primitives->data_is_forward()) {
        const auto flipped = flipped_weight(weight);
        const memory weight_memory =
            reordered(primitives->weight_to_data, wrap(primitives->flipped_weight, flipped), stream, blocked);
        primitives->data_as_forward.execute(
            stream, {{DNNL_ARG_SRC, grad_memory}, {DNNL_ARG_WEIGHTS, weight_memory}, {DNNL_ARG_DST, grad_input_memory}});
      } else {
        const memory weight_memory =
            reordered(primitives->weight_to_data, wrap(primitives->user_weight, weight), stream, blocked);
        primitives->data.execute(stream, {{DNNL_ARG_DIFF_DST, grad_memory},
                                          {DNNL_ARG_WEIGHTS, weight_memory},
                                          {DNNL_ARG_DIFF_SRC, grad_input_memory}});
      }
    }
    if (ctx->needs_input_grad(1) || (shape.bias && ctx->needs_input_grad(2))) {
      grad_weight = torch::empty_like(weight);  // the weight's own layout, as the optimizer walks it
      memory user = wrap(primitives->user_weight, grad_weight);
      torch::Tensor blocked;
      memory blocked_memory =
          primitives->weight_gradient_to_user.primitive ? buffer_for(primitives->weight_gradient, blocked) : user;
      std::unordered_map<int, memory> args{{DNNL_ARG_SRC, wrap(primitives->src, input)},
                                           {DNNL_ARG_DIFF_DST, grad_memory},
                                           {DNNL_ARG_DIFF_WEIGHTS, blocked_memory}};
      if (shape.bias) {
        grad_bias = torch::empty({shape.weight[0]}, torch::kFloat32);
        args.emplace(DNNL_ARG_DIFF_BIAS, wrap(primitives->bias_gradient, grad_bias));
      }
      primitives->weights.execute(stream, args);
      if (blocked.defined()) primitives->weight_gradient_to_user.primitive.execute(stream, blocked_memory, user);
    }
    stream.wait();
    if (!ctx->needs_input_grad(1)) grad_weight = torch::Tensor();
    return {grad_input, grad_weight, grad_bias, torch::Tensor()};
  }
};

}  // namespace

bool onednn_conv2d_applies(const torch::Tensor& input, const torch::nn::Conv2dImpl& conv) {
  if (!float32_on_cpu(input) || input.dim() != 4 || !input.is_contiguous(torch::MemoryFormat::ChannelsLast)) return false;
  const auto& weight = conv.weight;
  if (!float32_on_cpu(weight) || weight.dim() != 4 || weight.size(1) != input.size(1)) return false;
  if (!weight.is_contiguous() && !weight.is_contiguous(torch::MemoryFormat::ChannelsLast)) return false;
  if (conv.bias.defined() && (!float32_on_cpu(conv.bias) || !conv.bias.is_contiguous())) return false;
  if (!plain_conv2d(conv)) return false;
  const auto& padding = *compat::variant_alternative<torch::ExpandingArray<2>>(conv.options.padding());
  for (int d = 0; d < 2; ++d)
    if (input.size(2 + d) + 2 * (*padding)[d] < weight.size(2 + d)) return false;
  return true;
}

torch::Tensor onednn_conv2d(const torch::Tensor& input, torch::nn::Conv2dImpl& conv) {
  // LibTorch 1.13's custom functions reject undefined inputs: a conv without bias passes an empty
  // tensor.
  const auto& o = conv.options;
  const auto& padding = *compat::variant_alternative<torch::ExpandingArray<2>>(o.padding());
  const ConvShape shape = shape_of(input, conv.weight, {(*o.stride())[0], (*o.stride())[1], (*padding)[0], (*padding)[1]},
                                   conv.bias.defined());
  return OneDnnConv2d::apply(input, conv.weight, conv.bias.defined() ? conv.bias : torch::empty({0}), shape);
}

}  // namespace dltrain::models

#else  // no oneDNN in this build: LibTorch's convolution runs

namespace dltrain::models {

bool onednn_conv2d_applies(const torch::Tensor& /*input*/, const torch::nn::Conv2dImpl& /*conv*/) { return false; }

torch::Tensor onednn_conv2d(const torch::Tensor& input, torch::nn::Conv2dImpl& conv) { return conv.forward(input); }

}  // namespace dltrain::models
#endif
