#include "dltrain/models/norm_pool_relu.h"

#include <ATen/record_function.h>
#include <torch/torch.h>

#include <algorithm>
#include <array>
#include <cmath>
#include <cstdint>
#include <utility>
#include <vector>

#include "dltrain/core/parallel.h"
#include "dltrain/core/torch_compat.h"
#include "dltrain/models/batch_norm_training.h"
#include "dltrain/models/norm_pool_relu_kernels.h"

namespace dltrain::models {
namespace {

// An [N, C, H, W] channels-last map: image n's pixel (h, w) holds C floats at ((n*H + h)*W + w)*C.
struct Maps {
  int64_t images, channels, height, width;
  explicit Maps(const torch::Tensor& t) : Maps(t.size(0), t.size(1), t.size(2), t.size(3)) {}
  Maps(int64_t images, int64_t channels, int64_t height, int64_t width)
      : images(images), channels(channels), height(height), width(width) {}
  int64_t pixels() const { return height * width; }
  int64_t outputs() const { return (height / 2) * (width / 2); }  // pooled values per image and channel
  int64_t values_per_channel() const { return images * pixels(); }
  // A pooled [N, C, H/2, W/2] map, channels-last.
  torch::Tensor pooled(torch::ScalarType type) const {
    return torch::empty({images, channels, height / 2, width / 2},
                        torch::TensorOptions(type).memory_format(torch::MemoryFormat::ChannelsLast));
  }
};

// Per-image partial sums, [images][2][C], added up in image order: the same result on any
// number of threads.
struct ChannelSums {
  std::vector<double> first, second;
};

template <class PerImage>
ChannelSums sum_over_images(int64_t images, int64_t channels, const PerImage& per_image) {
  std::vector<double> partial(static_cast<size_t>(images * 2 * channels), 0.0);
  parallel_for(0, images, 1, [&](int64_t begin, int64_t end) {
    for (int64_t n = begin; n < end; ++n) {
      double* first = &partial[static_cast<size_t>(n * 2 * channels)];
      per_image(n, first, first + channels);
    }
  });
  ChannelSums sums{std::vector<double>(channels, 0.0), std::vector<double>(channels, 0.0)};
  for (int64_t n = 0; n < images; ++n) {
    const double* first = &partial[static_cast<size_t>(n * 2 * channels)];
    for (int64_t c = 0; c < channels; ++c) {
      sums.first[c] += first[c];
      sums.second[c] += first[channels + c];
    }
  }
  return sums;
}

// The running statistics to update and the step's momentum; they travel as one plain argument,
// not as tensors of the autograd function.
struct RunningStatistics {
  torch::Tensor mean, var;
  double momentum;
};

void update_running(const torch::Tensor& running, const std::vector<double>& batch, double momentum) {
  float* data = running.data_ptr<float>();
  for (size_t c = 0; c < batch.size(); ++c) data[c] = static_cast<float>((1.0 - momentum) * data[c] + momentum * batch[c]);
}

// Rows of the per-channel constants the backward needs, saved as one small tensor.
enum SavedRow : int64_t { kMean, kInvstd, kScale, kSavedRows };

// The forward's view of the batch: the norm as x * scale + shift per channel, and the rows the
// backward needs.
struct NormConstants {
  std::vector<float> saved_rows;  // [kSavedRows][C]
  std::vector<float> shift;
  const float* scale() const { return &saved_rows[kScale * shift.size()]; }
};

// The batch statistics from the channel sums of (x - k) and (x - k)^2, and the running
// statistics moved towards them.
NormConstants batch_statistics(const ChannelSums& sums, const Maps& maps, const std::vector<float>& k,
                               const torch::Tensor& weight, const torch::Tensor& bias, double eps,
                               const RunningStatistics& running) {
  const int64_t C = maps.channels;
  NormConstants out{std::vector<float>(static_cast<size_t>(kSavedRows * C)), std::vector<float>(C)};
  std::vector<double> batch_mean(C), unbiased_var(C);
  const auto count = static_cast<double>(maps.values_per_channel());
  const float* gamma = weight.data_ptr<float>();
  const float* beta = bias.data_ptr<float>();
  for (int64_t c = 0; c < C; ++c) {
    const double offset = sums.first[c] / count;
    const double var = std::max(0.0, sums.second[c] / count - offset * offset);
    batch_mean[c] = k[c] + offset;
    unbiased_var[c] = var * count / (count - 1.0);
    const double inv = 1.0 / std::sqrt(var + eps);
    out.saved_rows[kMean * C + c] = static_cast<float>(batch_mean[c]);
    out.saved_rows[kInvstd * C + c] = static_cast<float>(inv);
    out.saved_rows[kScale * C + c] = static_cast<float>(gamma[c] * inv);
    out.shift[c] = static_cast<float>(beta[c] - batch_mean[c] * gamma[c] * inv);
  }
  update_running(running.mean, batch_mean, running.momentum);
  update_running(running.var, unbiased_var, running.momentum);
  return out;
}

// The maps one forward pass fills: the output, and what the backward keeps.
struct PooledMaps {
  explicit PooledMaps(const Maps& maps)
      : out(maps.pooled(torch::kFloat32)),
        x_at_max(maps.pooled(torch::kFloat32)),
        smallest(maps.pooled(torch::kFloat32)),
        argmax(maps.pooled(torch::kUInt8)) {}
  torch::Tensor out;
  torch::Tensor x_at_max;  // each window's largest input, until the pool
  torch::Tensor smallest;
  torch::Tensor argmax;  // the extremes' positions, until the pool
};

// The forward's second pass, on the scan's quarter-size maps.
void pool(const Maps& maps, const NormPoolReluKernels& kernels, const NormConstants& norm, PooledMaps& maps_out) {
  const int64_t C = maps.channels;
  float* kept = maps_out.x_at_max.data_ptr<float>();
  const float* low = maps_out.smallest.data_ptr<float>();
  uint8_t* won = maps_out.argmax.data_ptr<uint8_t>();
  float* y = maps_out.out.data_ptr<float>();
  parallel_for(0, maps.images * maps.outputs(), 256, [&](int64_t begin, int64_t end) {
    kernels.pool_from_extremes(kept + begin * C, low + begin * C, won + begin * C, end - begin, norm.scale(),
                               norm.shift.data(), y + begin * C);
  });
}

// Both forwards after their first pixel: `scan(n, first, second, largest, smallest, positions)`
// takes image n's channel sums and window extremes, then come the batch statistics (moving the
// running ones) and the pool.
struct PooledForward {
  PooledMaps maps;
  NormConstants norm;
  torch::Tensor saved_rows() const {
    return torch::tensor(norm.saved_rows).view({kSavedRows, static_cast<int64_t>(norm.shift.size())});
  }
};

template <class Scan>
PooledForward pooled_forward(const Maps& maps, const NormPoolReluKernels& kernels, const std::vector<float>& k,
                             const torch::Tensor& weight, const torch::Tensor& bias, double eps,
                             const RunningStatistics& running, const Scan& scan) {
  PooledMaps pooled(maps);
  const int64_t C = maps.channels, outputs = maps.outputs();
  float* kept = pooled.x_at_max.data_ptr<float>();
  float* low = pooled.smallest.data_ptr<float>();
  uint8_t* won = pooled.argmax.data_ptr<uint8_t>();
  const ChannelSums sums = sum_over_images(maps.images, C, [&](int64_t n, double* first, double* second) {
    const int64_t at = n * outputs * C;
    scan(n, first, second, kept + at, low + at, won + at);
  });
  NormConstants norm = batch_statistics(sums, maps, k, weight, bias, eps, running);
  pool(maps, kernels, norm, pooled);
  return {std::move(pooled), std::move(norm)};
}

// What the backward needs: the norm's input shape, the incoming gradient and the saved
// [input, x_at_max, argmax, rows, ...].
struct BackwardInputs {
  BackwardInputs(const Maps& maps, torch::autograd::variable_list saved, const torch::Tensor& pooled_grad)
      : maps(maps), grad(pooled_grad.contiguous(torch::MemoryFormat::ChannelsLast)), saved(std::move(saved)) {}
  const float* row(SavedRow r) const { return saved[3][r].data_ptr<float>(); }
  const float* x_at_max() const { return saved[1].data_ptr<float>(); }
  const uint8_t* argmax() const { return saved[2].data_ptr<uint8_t>(); }
  Maps maps;
  torch::Tensor grad;
  torch::autograd::variable_list saved;
};

// The per-channel sums of the gradient reaching the norm's output (first) and of it times
// (x - mean) (second), then the norm's parameter gradients and the input gradient as
// dy * p + x * q + r.
struct NormGradients {
  torch::Tensor weight_grad, bias_grad;
  std::vector<float> p, q, r;
};

NormGradients norm_gradients(const BackwardInputs& in, const NormPoolReluKernels& kernels) {
  const int64_t C = in.maps.channels, outputs = in.maps.outputs();
  const float* dy = in.grad.data_ptr<float>();
  const float* kept = in.x_at_max();
  const uint8_t* won = in.argmax();
  const float* mean = in.row(kMean);
  const float* invstd = in.row(kInvstd);
  const float* scale = in.row(kScale);
  const ChannelSums sums = sum_over_images(in.maps.images, C, [&](int64_t n, double* sum_dy, double* sum_dy_xmu) {
    const int64_t at = n * outputs * C;
    kernels.add_gradient_sums(dy + at, kept + at, won + at, outputs, mean, sum_dy, sum_dy_xmu);
  });
  std::vector<float> weight_grad(C), bias_grad(C);
  NormGradients out{torch::Tensor(), torch::Tensor(), std::vector<float>(C), std::vector<float>(C), std::vector<float>(C)};
  const auto count = static_cast<double>(in.maps.values_per_channel());
  for (int64_t c = 0; c < C; ++c) {
    weight_grad[c] = static_cast<float>(sums.second[c] * invstd[c]);
    bias_grad[c] = static_cast<float>(sums.first[c]);
    // dx = gamma * invstd * (dy - mean(dy) - (x - mean) * invstd^2 * mean(dy * (x - mean)))
    const double qc = -double{scale[c]} * invstd[c] * invstd[c] * sums.second[c] / count;
    out.p[c] = scale[c];
    out.q[c] = static_cast<float>(qc);
    out.r[c] = static_cast<float>(-double{scale[c]} * sums.first[c] / count - qc * mean[c]);
  }
  out.weight_grad = torch::tensor(weight_grad);
  out.bias_grad = torch::tensor(bias_grad);
  return out;
}

struct NormPoolRelu : public torch::autograd::Function<NormPoolRelu> {
  static torch::Tensor forward(torch::autograd::AutogradContext* ctx, const torch::Tensor& input,
                               const torch::Tensor& weight, const torch::Tensor& bias,
                               const RunningStatistics* running, double eps) {
    RECORD_FUNCTION("dltrain::norm_pool_relu", std::vector<c10::IValue>());  // named in train.profile_steps
    const Maps maps(input);
    const int64_t C = maps.channels;
    const NormPoolReluKernels& kernels = *norm_pool_relu_kernels(C);
    const float* x = input.data_ptr<float>();
    const std::vector<float> k(x, x + C);  // the first pixel: a shift inside each channel's range
    const PooledForward done = pooled_forward(
        maps, kernels, k, weight, bias, eps, *running,
        [&](int64_t n, double* first, double* second, float* largest, float* smallest, uint8_t* positions) {
          kernels.scan_image(x + n * maps.pixels() * C, maps.height, maps.width, k.data(), first, second, largest,
                             smallest, positions);
        });
    ctx->save_for_backward({input, done.maps.x_at_max, done.maps.argmax, done.saved_rows()});
    return done.maps.out;
  }

  static torch::autograd::tensor_list backward(torch::autograd::AutogradContext* ctx,
                                               torch::autograd::tensor_list grads) {
    auto saved = ctx->get_saved_variables();
    const torch::Tensor input = saved[0];
    const BackwardInputs in(Maps(input), std::move(saved), grads[0]);
    const Maps& maps = in.maps;
    const int64_t C = maps.channels, out_width = maps.width / 2;
    const NormPoolReluKernels& kernels = *norm_pool_relu_kernels(C);
    NormGradients g = norm_gradients(in, kernels);
    torch::Tensor grad_input;
    if (ctx->needs_input_grad(0)) {
      grad_input = torch::empty_like(input);
      const float* x = input.data_ptr<float>();
      const float* dy = in.grad.data_ptr<float>();
      const uint8_t* won = in.argmax();
      float* dx = grad_input.data_ptr<float>();
      parallel_for(0, maps.images * maps.height / 2, 1, [&](int64_t begin, int64_t end) {
        for (int64_t row = begin; row < end; ++row) {
          const int64_t in_at = 2 * row * maps.width * C, out_at = row * out_width * C;
          kernels.input_gradient_rows(x + in_at, dx + in_at, maps.width, out_width, dy + out_at, won + out_at,
                                      g.p.data(), g.q.data(), g.r.data());
        }
      });
    }
    return {grad_input, g.weight_grad, g.bias_grad, torch::Tensor(), torch::Tensor()};
  }
};

// A one-channel image's first stage, conv (3x3, padding 1, no bias) -> norm -> pool -> ReLU, with
// the convolution computed where it is used and never stored: the forward takes the statistics
// and window extremes of the conv output straight from the image, and the backward recomputes
// it to form the conv weight's gradient (the image needs none).
struct ConvNormPoolRelu : public torch::autograd::Function<ConvNormPoolRelu> {
  static torch::Tensor forward(torch::autograd::AutogradContext* ctx, const torch::Tensor& image,
                               const torch::Tensor& conv_weight, const torch::Tensor& weight,
                               const torch::Tensor& bias, const RunningStatistics* running, double eps) {
    RECORD_FUNCTION("dltrain::conv_norm_pool_relu", std::vector<c10::IValue>());
    const int64_t C = conv_weight.size(0);
    const Maps maps(image.size(0), C, image.size(2), image.size(3));
    const NormPoolReluKernels& kernels = *norm_pool_relu_kernels(C);
    const auto taps = tap_major(conv_weight);
    const float* pixels = image.data_ptr<float>();
    const std::vector<float> k = conv_at_origin(pixels, maps, taps);
    const PooledForward done = pooled_forward(
        maps, kernels, k, weight, bias, eps, *running,
        [&](int64_t n, double* first, double* second, float* largest, float* smallest, uint8_t* positions) {
          std::vector<float> padded(static_cast<size_t>((maps.height + 2) * (maps.width + 2)));
          kernels.conv_scan_image(pixels + n * maps.pixels(), maps.height, maps.width, taps.data(), k.data(), first,
                                  second, largest, smallest, positions, padded.data());
        });
    ctx->save_for_backward({image, done.maps.x_at_max, done.maps.argmax, done.saved_rows(), torch::tensor(taps)});
    ctx->saved_data["conv_weight_shape"] = conv_weight.sizes().vec();
    ctx->saved_data["conv_weight_strides"] = conv_weight.strides().vec();
    return done.maps.out;
  }

  static torch::autograd::tensor_list backward(torch::autograd::AutogradContext* ctx,
                                               torch::autograd::tensor_list grads) {
    auto saved = ctx->get_saved_variables();
    const torch::Tensor image = saved[0], taps_tensor = saved[4];
    const int64_t C = saved[3].size(1);
    const BackwardInputs in(Maps(image.size(0), C, image.size(2), image.size(3)), std::move(saved), grads[0]);
    const Maps& maps = in.maps;
    const NormPoolReluKernels& kernels = *norm_pool_relu_kernels(C);
    NormGradients g = norm_gradients(in, kernels);
    const float* pixels = image.data_ptr<float>();
    const float* taps = taps_tensor.data_ptr<float>();
    const float* dy = in.grad.data_ptr<float>();
    const uint8_t* won = in.argmax();
    const int64_t outputs = maps.outputs();
    std::vector<double> partial(static_cast<size_t>(maps.images * 9 * C), 0.0);
    parallel_for(0, maps.images, 1, [&](int64_t begin, int64_t end) {
      std::vector<float> padded(static_cast<size_t>((maps.height + 2) * (maps.width + 2)));
      for (int64_t n = begin; n < end; ++n) {
        kernels.conv_weight_gradient(pixels + n * maps.pixels(), maps.height, maps.width, taps, dy + n * outputs * C,
                                     won + n * outputs * C, g.p.data(), g.q.data(), g.r.data(),
                                     &partial[static_cast<size_t>(n * 9 * C)], padded.data());
      }
    });
    // Added in image order (the same on any thread count), then laid out as the weight: [C][1][3][3].
    std::vector<double> total(static_cast<size_t>(9 * C), 0.0);
    for (int64_t n = 0; n < maps.images; ++n)
      for (int64_t i = 0; i < 9 * C; ++i) total[i] += partial[static_cast<size_t>(n * 9 * C + i)];
    // With the weight's own strides (no re-layout when it is accumulated): for one input channel,
    // contiguous and channels-last alike walk channels, then taps.
    auto conv_weight_grad = torch::empty_strided(ctx->saved_data["conv_weight_shape"].toIntVector(),
                                                 ctx->saved_data["conv_weight_strides"].toIntVector(),
                                                 torch::TensorOptions(torch::kFloat32));
    float* by_channel = conv_weight_grad.data_ptr<float>();
    for (int64_t c = 0; c < C; ++c)
      for (int64_t t = 0; t < 9; ++t) by_channel[c * 9 + t] = static_cast<float>(total[t * C + c]);
    return {torch::Tensor(), conv_weight_grad, g.weight_grad, g.bias_grad, torch::Tensor(), torch::Tensor()};
  }

  // The conv weight [C, 1, 3, 3] as [9 taps][C]: the loops read one tap's C weights at a time.
  static std::vector<float> tap_major(const torch::Tensor& conv_weight) {
    const auto w = conv_weight.contiguous();
    const float* data = w.data_ptr<float>();
    const int64_t C = w.size(0);
    std::vector<float> taps(static_cast<size_t>(9 * C));
    for (int64_t c = 0; c < C; ++c)
      for (int64_t t = 0; t < 9; ++t) taps[t * C + c] = data[c * 9 + t];
    return taps;
  }

  // The conv output at image 0's first pixel: the statistics' shift, inside each channel's range.
  static std::vector<float> conv_at_origin(const float* pixels, const Maps& maps, const std::vector<float>& taps) {
    const int64_t C = maps.channels;
    std::vector<float> k(C, 0.0f);
    for (int64_t t = 0; t < 9; ++t) {
      const int64_t y = t / 3 - 1, x = t % 3 - 1;
      if (y < 0 || x < 0 || y >= maps.height || x >= maps.width) continue;
      for (int64_t c = 0; c < C; ++c) k[c] += pixels[y * maps.width + x] * taps[t * C + c];
    }
    return k;
  }
};

bool is_max_pool_2x2(const torch::nn::AnyModule& layer) {
  const auto* pool = dynamic_cast<const torch::nn::MaxPool2dImpl*>(layer.ptr().get());
  if (pool == nullptr) return false;
  const auto& o = pool->options;
  const std::array<int64_t, 2> two{2, 2}, zero{0, 0}, one{1, 1};
  return *o.kernel_size() == two && *o.stride() == two && *o.padding() == zero && *o.dilation() == one && !o.ceil_mode();
}

bool is_relu(const torch::nn::AnyModule& layer) {
  return dynamic_cast<const torch::nn::ReLUImpl*>(layer.ptr().get()) != nullptr;
}

// The conditions on the norm's input and the norm itself, shared by both operators.
bool norm_applies(const Maps& maps, const torch::nn::BatchNorm2dImpl& norm) {
  if (maps.height < 2 || maps.width < 2 || maps.height % 2 != 0 || maps.width % 2 != 0) return false;
  if (maps.values_per_channel() < 2 || norm_pool_relu_kernels(maps.channels) == nullptr) return false;
  return fusable_batch_norm(norm, maps.channels);
}

// A Conv2d(1 -> C, 3x3, stride 1, padding 1 with zeros, no bias) with a float32 CPU weight.
bool is_first_stage_conv(const torch::nn::Conv2dImpl& conv) {
  const auto& o = conv.options;
  const auto* padding = compat::variant_alternative<torch::ExpandingArray<2>>(o.padding());
  const std::array<int64_t, 2> three{3, 3}, one{1, 1};
  return o.in_channels() == 1 && *o.kernel_size() == three && *o.stride() == one && padding != nullptr &&
         **padding == one && *o.dilation() == one && o.groups() == 1 && !conv.bias.defined() &&
         compat::variant_alternative<torch::enumtype::kZeros>(o.padding_mode()) != nullptr &&
         conv.weight.device().is_cpu() && conv.weight.scalar_type() == torch::kFloat32;
}

// Whether layers[first, first + 3) are a BatchNorm2d, a MaxPool2d(2) and a ReLU, in either
// order after the norm.
torch::nn::BatchNorm2dImpl* norm_pool_relu_layers(const ChainImpl::Layers& layers, std::size_t first) {
  if (first + 3 > layers.size()) return nullptr;
  auto* norm = dynamic_cast<torch::nn::BatchNorm2dImpl*>(layers[first].second.ptr().get());
  if (norm == nullptr) return nullptr;
  const auto& a = layers[first + 1].second;
  const auto& b = layers[first + 2].second;
  return (is_max_pool_2x2(a) && is_relu(b)) || (is_relu(a) && is_max_pool_2x2(b)) ? norm : nullptr;
}

RunningStatistics running_of(torch::nn::BatchNorm2dImpl& norm) {
  // As BatchNormImplBase::forward does before it normalizes.
  if (norm.num_batches_tracked.defined()) norm.num_batches_tracked += 1;
  return {norm.running_mean, norm.running_var, norm.options.momentum().value()};
}

}  // namespace

bool norm_pool_relu_applies(const torch::Tensor& input, const torch::nn::BatchNorm2dImpl& norm) {
  if (!input.device().is_cpu() || input.scalar_type() != torch::kFloat32 || input.dim() != 4) return false;
  return input.is_contiguous(torch::MemoryFormat::ChannelsLast) && norm_applies(Maps(input), norm);
}

torch::Tensor norm_pool_relu(const torch::Tensor& input, torch::nn::BatchNorm2dImpl& norm) {
  const RunningStatistics running = running_of(norm);
  return NormPoolRelu::apply(input, norm.weight, norm.bias, &running, norm.options.eps());
}

torch::nn::BatchNorm2dImpl* fusable_norm_pool_relu(const ChainImpl::Layers& layers, std::size_t first,
                                                   const torch::Tensor& input) {
  auto* norm = norm_pool_relu_layers(layers, first);
  return norm != nullptr && norm_pool_relu_applies(input, *norm) ? norm : nullptr;
}

bool conv_norm_pool_relu_applies(const torch::Tensor& image, const torch::nn::Conv2dImpl& conv,
                                 const torch::nn::BatchNorm2dImpl& norm) {
  if (!image.device().is_cpu() || image.scalar_type() != torch::kFloat32 || image.dim() != 4) return false;
  if (image.size(1) != 1 || !image.is_contiguous() || image.requires_grad()) return false;
  if (!is_first_stage_conv(conv)) return false;
  return norm_applies(Maps(image.size(0), conv.options.out_channels(), image.size(2), image.size(3)), norm);
}

torch::Tensor conv_norm_pool_relu(const torch::Tensor& image, torch::nn::Conv2dImpl& conv,
                                  torch::nn::BatchNorm2dImpl& norm) {
  const RunningStatistics running = running_of(norm);
  return ConvNormPoolRelu::apply(image, conv.weight, norm.weight, norm.bias, &running, norm.options.eps());
}

FusableConvStage fusable_conv_norm_pool_relu(const ChainImpl::Layers& layers, std::size_t first,
                                             const torch::Tensor& image) {
  auto* conv = dynamic_cast<torch::nn::Conv2dImpl*>(layers[first].second.ptr().get());
  if (conv == nullptr) return {};
  auto* norm = norm_pool_relu_layers(layers, first + 1);
  if (norm == nullptr || !conv_norm_pool_relu_applies(image, *conv, *norm)) return {};
  return {conv, norm};
}

}  // namespace dltrain::models
