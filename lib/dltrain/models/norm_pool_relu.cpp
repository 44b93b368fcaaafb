#include "dltrain/models/norm_pool_relu.h"

#include <ATen/record_function.h>
#include <torch/torch.h>

#include <algorithm>
#include <array>
#include <cmath>
#include <cstdint>
#include <vector>

#include "dltrain/core/parallel.h"
#include "dltrain/models/norm_pool_relu_kernels.h"

namespace dltrain::models {
namespace {

// An [N, C, H, W] channels-last map: image n's pixel (h, w) holds C floats at ((n*H + h)*W + w)*C.
struct Maps {
  int64_t images, channels, height, width;
  explicit Maps(const torch::Tensor& t) : images(t.size(0)), channels(t.size(1)), height(t.size(2)), width(t.size(3)) {}
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

struct NormPoolRelu : public torch::autograd::Function<NormPoolRelu> {
  static torch::Tensor forward(torch::autograd::AutogradContext* ctx, const torch::Tensor& input,
                               const torch::Tensor& weight, const torch::Tensor& bias,
                               const RunningStatistics* running, double eps) {
    RECORD_FUNCTION("dltrain::norm_pool_relu", std::vector<c10::IValue>());  // named in train.profile_steps
    const Maps maps(input);
    const int64_t C = maps.channels, outputs = maps.outputs();
    const NormPoolReluKernels& kernels = *norm_pool_relu_kernels(C);
    const float* x = input.data_ptr<float>();
    const std::vector<float> k(x, x + C);  // the first pixel: a shift inside each channel's range
    auto out = maps.pooled(torch::kFloat32);
    auto x_at_max = maps.pooled(torch::kFloat32);  // each window's largest input, until the pool
    auto smallest = maps.pooled(torch::kFloat32);
    auto argmax = maps.pooled(torch::kUInt8);  // the extremes' positions, until the pool
    float* kept = x_at_max.data_ptr<float>();
    float* low = smallest.data_ptr<float>();
    uint8_t* won = argmax.data_ptr<uint8_t>();
    const ChannelSums sums = sum_over_images(maps.images, C, [&](int64_t n, double* first, double* second) {
      const int64_t at = n * outputs * C;
      kernels.scan_image(x + n * maps.pixels() * C, maps.height, maps.width, k.data(), first, second, kept + at,
                         low + at, won + at);
    });

    std::vector<float> saved_rows(static_cast<size_t>(kSavedRows * C));
    float* mean = &saved_rows[kMean * C];
    float* invstd = &saved_rows[kInvstd * C];
    float* scale = &saved_rows[kScale * C];
    std::vector<float> shift(C);
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
      mean[c] = static_cast<float>(batch_mean[c]);
      invstd[c] = static_cast<float>(inv);
      scale[c] = static_cast<float>(gamma[c] * inv);
      shift[c] = static_cast<float>(beta[c] - batch_mean[c] * gamma[c] * inv);
    }
    update_running(running->mean, batch_mean, running->momentum);
    update_running(running->var, unbiased_var, running->momentum);

    float* y = out.data_ptr<float>();
    parallel_for(0, maps.images * outputs, 256, [&](int64_t begin, int64_t end) {
      kernels.pool_from_extremes(kept + begin * C, low + begin * C, won + begin * C, end - begin, scale, shift.data(),
                                 y + begin * C);
    });
    ctx->save_for_backward({input, x_at_max, argmax, torch::tensor(saved_rows).view({kSavedRows, C})});
    return out;
  }

  static torch::autograd::tensor_list backward(torch::autograd::AutogradContext* ctx,
                                               torch::autograd::tensor_list grads) {
    const auto saved = ctx->get_saved_variables();
    const torch::Tensor& input = saved[0];
    const Maps maps(input);
    const int64_t C = maps.channels, outputs = maps.outputs(), out_width = maps.width / 2;
    const NormPoolReluKernels& kernels = *norm_pool_relu_kernels(C);
    const torch::Tensor grad = grads[0].contiguous(torch::MemoryFormat::ChannelsLast);
    const float* x = input.data_ptr<float>();
    const float* dy = grad.data_ptr<float>();
    const float* kept = saved[1].data_ptr<float>();
    const uint8_t* won = saved[2].data_ptr<uint8_t>();
    const float* mean = saved[3][kMean].data_ptr<float>();
    const float* invstd = saved[3][kInvstd].data_ptr<float>();
    const float* scale = saved[3][kScale].data_ptr<float>();

    const ChannelSums sums = sum_over_images(maps.images, C, [&](int64_t n, double* sum_dy, double* sum_dy_xmu) {
      const int64_t at = n * outputs * C;
      kernels.add_gradient_sums(dy + at, kept + at, won + at, outputs, mean, sum_dy, sum_dy_xmu);
    });
    std::vector<float> weight_grad(C), bias_grad(C), p(C), q(C), r(C);
    const auto count = static_cast<double>(maps.values_per_channel());
    for (int64_t c = 0; c < C; ++c) {
      weight_grad[c] = static_cast<float>(sums.second[c] * invstd[c]);
      bias_grad[c] = static_cast<float>(sums.first[c]);
      // dx = gamma * invstd * (dy - mean(dy) - (x - mean) * invstd^2 * mean(dy * (x - mean)))
      const double qc = -double{scale[c]} * invstd[c] * invstd[c] * sums.second[c] / count;
      p[c] = scale[c];
      q[c] = static_cast<float>(qc);
      r[c] = static_cast<float>(-double{scale[c]} * sums.first[c] / count - qc * mean[c]);
    }
    torch::Tensor grad_input;
    if (ctx->needs_input_grad(0)) {
      grad_input = torch::empty_like(input);
      float* dx = grad_input.data_ptr<float>();
      parallel_for(0, maps.images * maps.height / 2, 1, [&](int64_t begin, int64_t end) {
        for (int64_t row = begin; row < end; ++row) {
          const int64_t in_at = 2 * row * maps.width * C, out_at = row * out_width * C;
          kernels.input_gradient_rows(x + in_at, dx + in_at, maps.width, out_width, dy + out_at, won + out_at,
                                      p.data(), q.data(), r.data());
        }
      });
    }
    return {grad_input, torch::tensor(weight_grad), torch::tensor(bias_grad), torch::Tensor(), torch::Tensor()};
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

bool float_vector(const torch::Tensor& t, int64_t size) {
  return t.defined() && t.device().is_cpu() && t.scalar_type() == torch::kFloat32 && t.dim() == 1 &&
         t.numel() == size && t.is_contiguous();
}

}  // namespace

bool norm_pool_relu_applies(const torch::Tensor& input, const torch::nn::BatchNorm2dImpl& norm) {
  if (!input.device().is_cpu() || input.scalar_type() != torch::kFloat32 || input.dim() != 4) return false;
  if (!input.is_contiguous(torch::MemoryFormat::ChannelsLast)) return false;
  const Maps maps(input);
  if (maps.height < 2 || maps.width < 2 || maps.height % 2 != 0 || maps.width % 2 != 0) return false;
  if (maps.values_per_channel() < 2 || norm_pool_relu_kernels(maps.channels) == nullptr) return false;
  const auto& options = norm.options;
  if (!norm.is_training() || !options.affine() || !options.track_running_stats() || !options.momentum().has_value())
    return false;
  return options.num_features() == maps.channels && float_vector(norm.weight, maps.channels) &&
         float_vector(norm.bias, maps.channels) && float_vector(norm.running_mean, maps.channels) &&
         float_vector(norm.running_var, maps.channels);
}

torch::Tensor norm_pool_relu(const torch::Tensor& input, torch::nn::BatchNorm2dImpl& norm) {
  // As BatchNormImplBase::forward does before it normalizes.
  if (norm.num_batches_tracked.defined()) norm.num_batches_tracked += 1;
  const RunningStatistics running{norm.running_mean, norm.running_var, norm.options.momentum().value()};
  return NormPoolRelu::apply(input, norm.weight, norm.bias, &running, norm.options.eps());
}

torch::nn::BatchNorm2dImpl* fusable_norm_pool_relu(const ChainImpl::Layers& layers, std::size_t first,
                                                   const torch::Tensor& input) {
  if (first + 3 > layers.size()) return nullptr;
  auto* norm = dynamic_cast<torch::nn::BatchNorm2dImpl*>(layers[first].second.ptr().get());
  if (norm == nullptr) return nullptr;
  const auto& a = layers[first + 1].second;
  const auto& b = layers[first + 2].second;
  if (!((is_max_pool_2x2(a) && is_relu(b)) || (is_relu(a) && is_max_pool_2x2(b)))) return nullptr;
  return norm_pool_relu_applies(input, *norm) ? norm : nullptr;
}

}  // namespace dltrain::models
