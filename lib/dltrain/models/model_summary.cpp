// The dummy pass runs in eval mode without gradients; the model's mode is restored afterwards.
#include "dltrain/models/model_summary.h"

#include <fmt/format.h>
#include <torch/torch.h>

#include "dltrain/core/error.h"

namespace dltrain::models {
namespace {

std::string readable_type(const std::string& cpp_name) {
  std::string name = cpp_name;
  if (name.rfind("torch::nn::", 0) == 0) name = name.substr(11);
  if (name.size() > 4 && name.compare(name.size() - 4, 4, "Impl") == 0) name.resize(name.size() - 4);
  return name;
}

std::string shape_text(const std::vector<int64_t>& shape) {
  std::string text = "[";
  for (size_t i = 0; i < shape.size(); ++i) text += (i ? ", " : "") + std::to_string(shape[i]);
  return text + "]";
}

}  // namespace

int64_t count_parameters(torch::nn::Module& module, bool trainable_only) {
  int64_t total = 0;
  for (const auto& p : module.parameters()) {
    if (!trainable_only || p.requires_grad()) total += p.numel();
  }
  return total;
}

ModelSummary summarize(torch::nn::Sequential& model, const std::vector<int64_t>& input_shape) {
  ModelSummary summary;
  const bool was_training = model->is_training();
  model->eval();
  torch::NoGradGuard no_grad;
  std::vector<int64_t> batch_shape{1};
  batch_shape.insert(batch_shape.end(), input_shape.begin(), input_shape.end());
  auto x = torch::zeros(batch_shape);
  const auto children = model->named_children();
  size_t i = 0;
  for (auto& layer : *model) {
    LayerSummary row;
    row.name = children[i].key();
    row.type = readable_type(children[i].value()->name());
    try {
      x = layer.forward(x);
    } catch (const std::exception&) {
      throw ConfigError(fmt::format("model: layer {} ({}, {}) cannot take input of shape {}", i, row.name, row.type,
                                    shape_text(std::vector<int64_t>(x.sizes().begin() + 1, x.sizes().end()))));
    }
    row.output_shape.assign(x.sizes().begin() + 1, x.sizes().end());
    row.parameters = count_parameters(*children[i].value());
    summary.layers.push_back(row);
    ++i;
  }
  summary.parameters = count_parameters(*model);
  summary.trainable_parameters = count_parameters(*model, true);
  if (was_training) model->train();
  return summary;
}

std::string format_summary_table(const ModelSummary& summary) {
  size_t name_width = 5, type_width = 4;
  for (const auto& row : summary.layers) {
    name_width = std::max(name_width, row.name.size());
    type_width = std::max(type_width, row.type.size());
  }
  std::string out = fmt::format("{:<{}}  {:<{}}  {:<16}  {:>12}\n", "layer", name_width, "type", type_width,
                                "output", "parameters");
  for (const auto& row : summary.layers) {
    out += fmt::format("{:<{}}  {:<{}}  {:<16}  {:>12}\n", row.name, name_width, row.type, type_width,
                       shape_text(row.output_shape), row.parameters);
  }
  out += fmt::format("total parameters: {} ({} trainable)\n", summary.parameters, summary.trainable_parameters);
  return out;
}

}  // namespace dltrain::models
