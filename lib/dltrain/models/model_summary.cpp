// The dummy pass runs in eval mode without gradients; the model's mode is restored afterwards.
// MACs follow the usual convention (fvcore, torchvision's model tables): convolutions, linear and
// recurrent layers only, counted from each layer's real input and output shapes.
#include "dltrain/models/model_summary.h"

#include <fmt/format.h>
#include <torch/torch.h>

#include "dltrain/core/error.h"
#include "dltrain/core/shape_text.h"

namespace dltrain::models {
namespace {

std::string readable_type(const std::string& cpp_name) {
  std::string name = cpp_name;
  if (const auto colon = name.rfind("::"); colon != std::string::npos) name = name.substr(colon + 2);
  if (name.size() > 4 && name.compare(name.size() - 4, 4, "Impl") == 0) name.resize(name.size() - 4);
  return name;
}

int64_t per_sample(const std::vector<int64_t>& shape) {
  int64_t n = 1;
  for (size_t i = 1; i < shape.size(); ++i) n *= shape[i];
  return n;
}

std::string grouped(int64_t n) {
  std::string digits = std::to_string(n), out;
  for (size_t i = 0; i < digits.size(); ++i) {
    if (i > 0 && (digits.size() - i) % 3 == 0) out += ',';
    out += digits[i];
  }
  return out;
}

std::string metric(double n) {
  if (n >= 1e9) return fmt::format("{:.2f} G", n / 1e9);
  if (n >= 1e6) return fmt::format("{:.2f} M", n / 1e6);
  if (n >= 1e3) return fmt::format("{:.2f} K", n / 1e3);
  return fmt::format("{:.0f}", n);
}

template <class Options>
int64_t recurrent_macs(const Options& options, int64_t gates, const std::vector<int64_t>& input_shape) {
  const int64_t steps = input_shape.size() == 3 ? input_shape[1] : 1;
  const int64_t hidden = options.hidden_size(), directions = options.bidirectional() ? 2 : 1;
  int64_t per_step = 0;
  for (int64_t layer = 0; layer < options.num_layers(); ++layer) {
    const int64_t in = layer == 0 ? options.input_size() : hidden * directions;
    per_step += directions * gates * hidden * (in + hidden);
  }
  return steps * per_step;
}

std::string training_state(torch::nn::Module& module) {
  int64_t trainable = 0, frozen = 0;
  for (const auto& p : module.parameters()) (p.requires_grad() ? trainable : frozen) += 1;
  if (trainable + frozen == 0) return "";
  if (frozen == 0) return "trainable";
  return trainable == 0 ? "frozen" : "partial";
}

}  // namespace

int64_t count_parameters(torch::nn::Module& module, bool trainable_only) {
  int64_t total = 0;
  for (const auto& p : module.parameters()) {
    if (!trainable_only || p.requires_grad()) total += p.numel();
  }
  return total;
}

int64_t layer_macs(const TracedLayer& layer) {
  torch::nn::Module& module = *layer.module;
  if (auto* conv = module.as<torch::nn::Conv2dImpl>()) {
    const auto& o = conv->options;
    return per_sample(layer.output_shape) * (o.in_channels() / o.groups()) * (*o.kernel_size())[0] *
           (*o.kernel_size())[1];
  }
  if (auto* linear = module.as<torch::nn::LinearImpl>()) {
    return per_sample(layer.output_shape) * linear->options.in_features();
  }
  if (auto* lstm = module.as<torch::nn::LSTMImpl>()) return recurrent_macs(lstm->options, 4, layer.input_shape);
  if (auto* gru = module.as<torch::nn::GRUImpl>()) return recurrent_macs(gru->options, 3, layer.input_shape);
  return 0;
}

ModelSummary summarize(Network& model, const std::vector<int64_t>& input_shape, int64_t batch_size) {
  ModelSummary summary;
  summary.batch_size = batch_size;
  const bool was_training = model.is_training();
  model.eval();
  torch::NoGradGuard no_grad;
  std::vector<int64_t> batch_shape{1};
  batch_shape.insert(batch_shape.end(), input_shape.begin(), input_shape.end());
  LayerTrace trace;
  try {
    model.trace(torch::zeros(batch_shape), &trace, "");
  } catch (const c10::Error& e) {
    // Builders size layers for the input, so this is a model that does not fit its data.
    const std::string after = trace.layers.empty() ? "the input" : "layer " + trace.layers.back().name;
    std::string reason = e.what_without_backtrace();
    throw ConfigError(fmt::format("model: cannot run a sample of shape {} through the model (after {}): {}",
                                  shape_text(input_shape), after, reason.substr(0, reason.find('\n'))));
  }
  if (was_training) model.train();
  for (const auto& layer : trace.layers) {
    LayerSummary row;
    row.name = layer.name;
    row.type = readable_type(layer.module->name());
    row.output_shape.assign(layer.output_shape.begin() + 1, layer.output_shape.end());
    row.parameters = count_parameters(*layer.module);
    row.training = training_state(*layer.module);
    row.macs = layer_macs(layer);
    summary.macs += row.macs;
    summary.activation_values += per_sample(layer.output_shape);
    summary.layers.push_back(std::move(row));
  }
  summary.parameters = count_parameters(model);
  summary.trainable_parameters = count_parameters(model, true);
  return summary;
}

std::string format_summary_table(const ModelSummary& summary) {
  size_t name_width = 5, type_width = 4, shape_width = 6;
  for (const auto& row : summary.layers) {
    name_width = std::max(name_width, row.name.size());
    type_width = std::max(type_width, row.type.size());
    shape_width = std::max(shape_width, shape_text(row.output_shape).size());
  }
  const std::string format = "{:<{}}  {:<{}}  {:<{}}  {:>12}  {:<9}  {:>10}\n";
  std::string out = fmt::format(format, "layer", name_width, "type", type_width, "output", shape_width, "parameters",
                                "training", "MACs");
  for (const auto& row : summary.layers) {
    out += fmt::format(format, row.name, name_width, row.type, type_width, shape_text(row.output_shape), shape_width,
                       grouped(row.parameters), row.training, row.macs ? metric(static_cast<double>(row.macs)) : "");
  }
  out += fmt::format("total parameters: {} ({} trainable, {} frozen)\n", grouped(summary.parameters),
                     grouped(summary.trainable_parameters),
                     grouped(summary.parameters - summary.trainable_parameters));
  out += fmt::format("MACs per sample: {} ({})\n", grouped(summary.macs), metric(static_cast<double>(summary.macs)));
  out += fmt::format("activation memory: {:.1f} MiB for a batch of {} (float32 layer outputs)\n",
                     static_cast<double>(summary.activation_bytes()) / (1024.0 * 1024.0), summary.batch_size);
  return out;
}

}  // namespace dltrain::models
