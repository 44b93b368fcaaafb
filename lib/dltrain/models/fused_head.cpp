#include "dltrain/models/fused_head.h"

#include <ATen/record_function.h>
#include <torch/torch.h>

#include <cmath>
#include <cstdint>
#include <vector>

#include "dltrain/core/parallel.h"
#include "dltrain/models/batch_norm_training.h"
#include "dltrain/models/parallel_linear.h"

namespace dltrain::models {
namespace {

constexpr int64_t kRowGrain = 16;  // rows per share of an elementwise pass (a few KB each)

// What the operator needs of one unit besides its parameter tensors.
struct UnitPlan {
  double keep = 1.0;  // dropout's keep probability; 1: no dropout
  bool bias = false;
  bool norm = false;
  bool relu = false;
  double eps = 0.0, momentum = 0.0;
  torch::Tensor running_mean, running_var;
};

struct HeadPlan {
  std::vector<UnitPlan> units;
};

// The parameters of a unit in the operator's tensor list: weight, then bias, then the norm's
// weight and bias, as present.
int64_t parameter_count(const UnitPlan& unit) { return 1 + (unit.bias ? 1 : 0) + (unit.norm ? 2 : 0); }

// Per unit, the tensors the backward reads. The ordered weight is the first unit's weight with
// its columns in the input's memory order, where that differs from Flatten's.
enum Saved : int64_t { kLinearInput, kOrderedWeight, kNormalized, kInverseStd, kActivated, kSavedPerUnit };

// The channel count of an input that Flatten reads in another order than its memory's: a
// channels-last [N, C, H, W] map; 1 for a batch Flatten only views.
int64_t map_channels(const torch::Tensor& input) {
  return input.dim() == 4 && !input.is_contiguous() ? input.size(1) : 1;
}

// The input's rows as they lie in memory: [N, F], a view (fusable_head takes only contiguous and
// channels-last inputs). A channels-last map's rows are in (H, W, C) order; rather than copying
// them into Flatten's (C, H, W) order, the first unit reorders its weight's columns (a fraction
// of the data) to match.
torch::Tensor rows_in_memory_order(const torch::Tensor& input) {
  const int64_t N = input.size(0), F = input.numel() / N;
  return input.as_strided({N, F}, {F, 1});
}

// An empty tensor of the head input's sizes and layout (channels-last where `channels` > 1).
torch::Tensor input_like(const std::vector<int64_t>& sizes, int64_t channels, const torch::TensorOptions& options) {
  return torch::empty(sizes, options.memory_format(channels > 1 ? torch::MemoryFormat::ChannelsLast
                                                                 : torch::MemoryFormat::Contiguous));
}

// Each of the R rows of `from`, an I x J block, transposed into `to` as a J x I block. Writes
// run along the rows of `to`: about twice as fast here as along the reads.
void transpose_rows(const float* __restrict__ from, float* __restrict__ to, int64_t R, int64_t I, int64_t J) {
  parallel_for(0, R, kRowGrain, [&](int64_t begin, int64_t end) {
    for (int64_t r = begin; r < end; ++r) {
      const float* block = from + r * I * J;
      float* transposed = to + r * I * J;
      for (int64_t j = 0; j < J; ++j)
        for (int64_t i = 0; i < I; ++i) transposed[j * I + i] = block[i * J + j];
    }
  });
}

// A weight [O, F] (or its gradient) with its columns reordered; `channels` as map_channels.
torch::Tensor reordered_columns(const torch::Tensor& weight, int64_t channels, bool to_memory_order) {
  auto out = torch::empty_like(weight);
  const int64_t pixels = weight.size(1) / channels;
  // Flatten's order is [C][P] per row, a channels-last map's [P][C].
  transpose_rows(weight.data_ptr<float>(), out.data_ptr<float>(), weight.size(0), to_memory_order ? channels : pixels,
                 to_memory_order ? pixels : channels);
  return out;
}

// `rows` [N, F] times a dropout mask into a new matrix, or in place (out = rows); `channels` as
// map_channels, so the mask is the one a Dropout after the Flatten draws.
void drop(const torch::Tensor& rows, const torch::Tensor& out, int64_t channels, double keep, uint64_t seed) {
  apply_dropout_mask(rows.data_ptr<float>(), out.data_ptr<float>(), rows.size(0), rows.size(1), channels, keep, seed);
}

// Training batch norm of z [N, F] in place, with its normalized values and 1/std kept for the
// backward and the running statistics moved as BatchNorm1d moves them.
void batch_norm_forward(torch::Tensor& z, const torch::Tensor& gamma, const torch::Tensor& beta, const UnitPlan& unit,
                        torch::Tensor& normalized, torch::Tensor& invstd) {
  const int64_t N = z.size(0), F = z.size(1);
  normalized = torch::empty_like(z);
  invstd = torch::empty({F}, z.options());
  float* zs = z.data_ptr<float>();
  float* xhat = normalized.data_ptr<float>();
  float* inv = invstd.data_ptr<float>();
  const float* g = gamma.data_ptr<float>();
  const float* b = beta.data_ptr<float>();
  float* running_mean = unit.running_mean.data_ptr<float>();
  float* running_var = unit.running_var.data_ptr<float>();
  std::vector<double> mean(F, 0.0), squares(F, 0.0);
  for (int64_t n = 0; n < N; ++n)
    for (int64_t f = 0; f < F; ++f) mean[f] += zs[n * F + f];
  for (int64_t f = 0; f < F; ++f) mean[f] /= static_cast<double>(N);
  for (int64_t n = 0; n < N; ++n)
    for (int64_t f = 0; f < F; ++f) {
      const double d = zs[n * F + f] - mean[f];
      squares[f] += d * d;
    }
  std::vector<float> mean_f(F);
  for (int64_t f = 0; f < F; ++f) {
    const double var = squares[f] / static_cast<double>(N);
    inv[f] = static_cast<float>(1.0 / std::sqrt(var + unit.eps));
    mean_f[f] = static_cast<float>(mean[f]);
    running_mean[f] = static_cast<float>((1.0 - unit.momentum) * running_mean[f] + unit.momentum * mean[f]);
    const double unbiased = var * static_cast<double>(N) / static_cast<double>(N - 1);
    running_var[f] = static_cast<float>((1.0 - unit.momentum) * running_var[f] + unit.momentum * unbiased);
  }
  for (int64_t n = 0; n < N; ++n)
    for (int64_t f = 0; f < F; ++f) {
      const int64_t i = n * F + f;
      xhat[i] = (zs[i] - mean_f[f]) * inv[f];
      zs[i] = xhat[i] * g[f] + b[f];
    }
}

// grad [N, F] through the batch norm, in place; its weight and bias gradients returned.
std::pair<torch::Tensor, torch::Tensor> batch_norm_backward(torch::Tensor& grad, const torch::Tensor& normalized,
                                                            const torch::Tensor& invstd, const torch::Tensor& gamma) {
  const int64_t N = grad.size(0), F = grad.size(1);
  float* g = grad.data_ptr<float>();
  const float* xhat = normalized.data_ptr<float>();
  const float* inv = invstd.data_ptr<float>();
  const float* w = gamma.data_ptr<float>();
  std::vector<double> sum_g(F, 0.0), sum_gx(F, 0.0);
  for (int64_t n = 0; n < N; ++n)
    for (int64_t f = 0; f < F; ++f) {
      sum_g[f] += g[n * F + f];
      sum_gx[f] += g[n * F + f] * xhat[n * F + f];
    }
  auto weight_grad = torch::empty({F}, grad.options());
  auto bias_grad = torch::empty({F}, grad.options());
  std::vector<float> mean_g(F), mean_gx(F), scale(F);
  for (int64_t f = 0; f < F; ++f) {
    weight_grad.data_ptr<float>()[f] = static_cast<float>(sum_gx[f]);
    bias_grad.data_ptr<float>()[f] = static_cast<float>(sum_g[f]);
    mean_g[f] = static_cast<float>(sum_g[f] / static_cast<double>(N));
    mean_gx[f] = static_cast<float>(sum_gx[f] / static_cast<double>(N));
    scale[f] = w[f] * inv[f];
  }
  // dz = gamma * invstd * (dy - mean(dy) - xhat * mean(dy * xhat))
  for (int64_t n = 0; n < N; ++n)
    for (int64_t f = 0; f < F; ++f) {
      const int64_t i = n * F + f;
      g[i] = scale[f] * (g[i] - mean_g[f] - xhat[i] * mean_gx[f]);
    }
  return {weight_grad, bias_grad};
}

// A NaN stays a NaN, as in torch::relu: a diverging run must see it.
void relu_in_place(torch::Tensor& t) {
  float* v = t.data_ptr<float>();
  for (int64_t i = 0, n = t.numel(); i < n; ++i) v[i] = v[i] < 0.0f ? 0.0f : v[i];
}

// grad *= (activated > 0), in place: ReLU's backward from its output.
void relu_backward_in_place(torch::Tensor& grad, const torch::Tensor& activated) {
  float* g = grad.data_ptr<float>();
  const float* a = activated.data_ptr<float>();
  for (int64_t i = 0, n = grad.numel(); i < n; ++i) g[i] = a[i] > 0.0f ? g[i] : 0.0f;
}

// The units' layout flags, kept by value for the backward: {keep, bias, norm, relu} per unit.
std::vector<double> layout_of(const HeadPlan& plan) {
  std::vector<double> layout;
  for (const UnitPlan& unit : plan.units) layout.insert(layout.end(), {unit.keep, double(unit.bias), double(unit.norm), double(unit.relu)});
  return layout;
}

UnitPlan unit_from_layout(const std::vector<double>& layout, size_t k) {
  UnitPlan unit;
  unit.keep = layout[4 * k];
  unit.bias = layout[4 * k + 1] != 0.0;
  unit.norm = layout[4 * k + 2] != 0.0;
  unit.relu = layout[4 * k + 3] != 0.0;
  return unit;
}

struct FusedHead : public torch::autograd::Function<FusedHead> {
  static torch::Tensor forward(torch::autograd::AutogradContext* ctx, const torch::Tensor& input,
                               at::TensorList parameters, const HeadPlan* plan) {
    RECORD_FUNCTION("dltrain::fused_head", std::vector<c10::IValue>());  // named in train.profile_steps
    const int64_t N = input.size(0), channels = map_channels(input);
    std::vector<torch::Tensor> saved(plan->units.size() * kSavedPerUnit);
    std::vector<int64_t> seeds(plan->units.size(), 0);  // each dropout's, bit for bit
    torch::Tensor x = rows_in_memory_order(input);
    int64_t at = 0;
    for (size_t k = 0; k < plan->units.size(); ++k) {
      const UnitPlan& unit = plan->units[k];
      torch::Tensor* slot = &saved[k * kSavedPerUnit];
      const int64_t x_channels = k == 0 ? channels : 1;
      torch::Tensor weight = parameters[at];
      if (x_channels > 1) weight = slot[kOrderedWeight] = reordered_columns(weight, x_channels, /*to_memory_order=*/true);
      const torch::Tensor bias = unit.bias ? parameters[at + 1] : torch::Tensor();
      if (unit.keep < 1.0) {
        const uint64_t seed = draw_dropout_seed();
        seeds[k] = static_cast<int64_t>(seed);
        auto dropped = torch::empty_like(x);
        drop(x, dropped, x_channels, unit.keep, seed);
        x = dropped;
      }
      slot[kLinearInput] = x;
      auto z = torch::empty({N, weight.size(0)}, input.options());
      matrix_product(z, x, weight.t(), bias);
      if (unit.norm) {
        const int64_t norm_at = at + 1 + (unit.bias ? 1 : 0);
        batch_norm_forward(z, parameters[norm_at], parameters[norm_at + 1], unit, slot[kNormalized], slot[kInverseStd]);
      }
      if (unit.relu) {
        relu_in_place(z);
        slot[kActivated] = z;
      }
      x = z;
      at += parameter_count(unit);
    }
    saved.insert(saved.end(), parameters.begin(), parameters.end());
    ctx->save_for_backward(saved);
    ctx->saved_data["layout"] = layout_of(*plan);
    ctx->saved_data["input_sizes"] = input.sizes().vec();  // the input's gradient is laid out alike
    ctx->saved_data["map_channels"] = channels;
    ctx->saved_data["seeds"] = seeds;
    return x;
  }

  static torch::autograd::tensor_list backward(torch::autograd::AutogradContext* ctx,
                                               torch::autograd::tensor_list grads) {
    const auto saved = ctx->get_saved_variables();
    const auto layout = ctx->saved_data["layout"].toDoubleVector();
    const size_t units = layout.size() / 4;
    const int64_t first_parameter = static_cast<int64_t>(units * kSavedPerUnit);
    const int64_t parameters = static_cast<int64_t>(saved.size()) - first_parameter;
    torch::autograd::tensor_list out(static_cast<size_t>(parameters + 2));  // input, parameters, plan
    // Where each unit's parameters start in the list.
    std::vector<int64_t> starts(units);
    for (size_t k = 0, at = 0; k < units; ++k) {
      starts[k] = static_cast<int64_t>(at);
      at += static_cast<size_t>(parameter_count(unit_from_layout(layout, k)));
    }
    const int64_t channels = ctx->saved_data["map_channels"].toInt();
    const auto seeds = ctx->saved_data["seeds"].toIntVector();
    torch::Tensor grad = grads[0].contiguous().clone();
    for (size_t k = units; k-- > 0;) {
      const UnitPlan unit = unit_from_layout(layout, k);
      const torch::Tensor* slot = &saved[k * kSavedPerUnit];
      const int64_t at = starts[k];
      const int64_t x_channels = k == 0 ? channels : 1;
      const torch::Tensor& weight = x_channels > 1 ? slot[kOrderedWeight] : saved[first_parameter + at];
      if (unit.relu) relu_backward_in_place(grad, slot[kActivated]);
      if (unit.norm) {
        const int64_t norm_at = at + 1 + (unit.bias ? 1 : 0);
        auto [weight_grad, bias_grad] = batch_norm_backward(grad, slot[kNormalized], slot[kInverseStd],
                                                            saved[first_parameter + norm_at]);
        out[1 + norm_at] = weight_grad;
        out[2 + norm_at] = bias_grad;
      }
      if (ctx->needs_input_grad(1 + at)) {
        auto weight_grad = torch::empty_like(weight);
        matrix_product(weight_grad, grad.t(), slot[kLinearInput]);
        out[1 + at] = x_channels > 1 ? reordered_columns(weight_grad, x_channels, /*to_memory_order=*/false) : weight_grad;
      }
      if (unit.bias) out[2 + at] = grad.sum(0);
      if (k == 0 && !ctx->needs_input_grad(0)) break;
      // The first unit's input gradient is written straight into the input's shape and layout.
      auto input_grad = k == 0 ? input_like(ctx->saved_data["input_sizes"].toIntVector(), channels, grad.options())
                               : torch::empty({grad.size(0), weight.size(1)}, grad.options());
      const auto input_grad_rows = rows_in_memory_order(input_grad);
      matrix_product(input_grad_rows, grad, weight);
      if (unit.keep < 1.0) drop(input_grad_rows, input_grad_rows, x_channels, unit.keep, static_cast<uint64_t>(seeds[k]));
      if (k == 0) {
        out[0] = input_grad;
      } else {
        grad = input_grad;
      }
    }
    return out;
  }
};

bool float_cpu_matrix(const torch::Tensor& t) {
  return t.defined() && t.device().is_cpu() && t.scalar_type() == torch::kFloat32 && t.is_contiguous();
}

template <class Layer>
Layer* layer_as(const ChainImpl::Layers& layers, std::size_t i) {
  return i < layers.size() ? dynamic_cast<Layer*>(layers[i].second.ptr().get()) : nullptr;
}

bool is_full_flatten(const torch::nn::FlattenImpl& flatten) {
  return flatten.options.start_dim() == 1 && flatten.options.end_dim() == -1;
}

// The unit at layers[i, ...) taking `features` inputs, and the index after it; no linear layer
// when there is no such unit.
std::pair<HeadUnit, std::size_t> unit_at(const ChainImpl::Layers& layers, std::size_t i, int64_t features) {
  HeadUnit unit;
  if (auto* dropout = layer_as<DropoutImpl>(layers, i)) {
    if (!dropout->is_training() || dropout->p >= 1.0) return {};
    if (dropout->p > 0.0) unit.dropout = dropout;
    ++i;
  }
  unit.linear = layer_as<torch::nn::LinearImpl>(layers, i);
  if (unit.linear == nullptr || !float_cpu_matrix(unit.linear->weight) || unit.linear->weight.size(1) != features ||
      (unit.linear->bias.defined() && !float_cpu_matrix(unit.linear->bias)))
    return {};
  const int64_t outputs = unit.linear->weight.size(0);
  ++i;
  if (auto* norm = layer_as<torch::nn::BatchNorm1dImpl>(layers, i)) {
    if (!fusable_batch_norm(*norm, outputs)) return {HeadUnit{unit.dropout, unit.linear}, i};
    unit.norm = norm;
    ++i;
  }
  if (layer_as<torch::nn::ReLUImpl>(layers, i) != nullptr) {
    unit.relu = true;
    ++i;
  }
  return {unit, i};
}

UnitPlan plan_of(const HeadUnit& unit) {
  UnitPlan plan;
  plan.keep = unit.dropout ? 1.0 - unit.dropout->p : 1.0;
  plan.bias = unit.linear->bias.defined();
  plan.relu = unit.relu;
  if (unit.norm) {
    plan.norm = true;
    plan.eps = unit.norm->options.eps();
    plan.momentum = unit.norm->options.momentum().value();
    plan.running_mean = unit.norm->running_mean;
    plan.running_var = unit.norm->running_var;
  }
  return plan;
}

}  // namespace

FusableHead fusable_head(const ChainImpl::Layers& layers, std::size_t first, const torch::Tensor& input) {
  if (!input.device().is_cpu() || input.scalar_type() != torch::kFloat32 || input.dim() < 2 || input.size(0) < 2)
    return {};
  const bool channels_last = input.dim() == 4 && input.is_contiguous(torch::MemoryFormat::ChannelsLast);
  if (!input.is_contiguous() && !channels_last) return {};
  FusableHead head;
  std::size_t i = first;
  if (auto* flatten = layer_as<torch::nn::FlattenImpl>(layers, i)) {
    if (!is_full_flatten(*flatten)) return {};
    head.flatten = true;
    ++i;
  } else if (input.dim() != 2) {
    return {};
  }
  int64_t features = input.numel() / input.size(0);
  while (true) {
    auto [unit, next] = unit_at(layers, i, features);
    if (unit.linear == nullptr) break;
    features = unit.linear->weight.size(0);
    head.units.push_back(unit);
    i = next;
  }
  head.layers = i - first;
  if (head.units.empty() || head.layers < 2) return {};
  return head;
}

torch::Tensor fused_head(const torch::Tensor& input, const FusableHead& head) {
  HeadPlan plan;
  std::vector<torch::Tensor> parameters;
  for (const HeadUnit& unit : head.units) {
    if (unit.norm && unit.norm->num_batches_tracked.defined()) unit.norm->num_batches_tracked += 1;
    plan.units.push_back(plan_of(unit));
    parameters.push_back(unit.linear->weight);
    if (unit.linear->bias.defined()) parameters.push_back(unit.linear->bias);
    if (unit.norm) {
      parameters.push_back(unit.norm->weight);
      parameters.push_back(unit.norm->bias);
    }
  }
  return FusedHead::apply(input, at::TensorList(parameters), &plan);
}

}  // namespace dltrain::models
