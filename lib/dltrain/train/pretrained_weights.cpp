// Matching by name (not position) lets a pre-trained feature extractor feed a model with a
// different head; every mismatch is listed so a silent partial load cannot go unnoticed.
#include "dltrain/train/pretrained_weights.h"

#include <fmt/format.h>
#include <spdlog/spdlog.h>
#include <torch/torch.h>

#include <filesystem>
#include <map>

#include "dltrain/core/error.h"
#include "dltrain/core/shape_text.h"
#include "dltrain/io/checkpoint.h"
#include "dltrain/io/safetensors.h"

namespace dltrain::train {
namespace {


bool ends_with(const std::string& text, const std::string& suffix) {
  return text.size() >= suffix.size() && text.compare(text.size() - suffix.size(), suffix.size(), suffix) == 0;
}

}  // namespace

NamedTensors read_pretrained_tensors(const std::string& source) {
  namespace fs = std::filesystem;
  if (!fs::exists(source)) throw DataError("model.pretrained: cannot find '" + source + "'");
  try {
    if (fs::is_directory(source)) return io::read_checkpoint_tensors(io::run_checkpoint(source));
    if (ends_with(source, ".safetensors")) return io::read_safetensors(source).tensors;
    return io::read_checkpoint_tensors(source);
  } catch (const DataError& e) {
    throw DataError(std::string("model.pretrained: ") + e.what());
  }
}

PretrainedLoad copy_matching_tensors(torch::nn::Module& model, const NamedTensors& tensors, const std::string& head) {
  std::map<std::string, torch::Tensor> targets;
  for (const auto& item : model.named_parameters()) targets[item.key()] = item.value();
  for (const auto& item : model.named_buffers()) targets[item.key()] = item.value();
  const std::string head_prefix = head.empty() ? "" : head + ".";
  PretrainedLoad result;
  torch::NoGradGuard no_grad;
  for (const auto& [name, tensor] : tensors) {
    auto found = targets.find(name);
    if (found == targets.end()) {
      result.skipped.push_back(name + ": not in this model");
      continue;
    }
    if (!head_prefix.empty() && name.rfind(head_prefix, 0) == 0) {
      result.skipped.push_back(name + ": head replaced (model.replace_head)");
    } else if (tensor.sizes() != found->second.sizes()) {
      result.skipped.push_back(name + ": shape " + shape_text(tensor.sizes()) + ", the model's is " +
                               shape_text(found->second.sizes()));
    } else {
      found->second.copy_(tensor);
      result.loaded.push_back(name);
    }
    targets.erase(found);
  }
  for (const auto& [name, tensor] : targets) result.missing.push_back(name);
  return result;
}

std::string final_layer_name(models::Network& model, const std::vector<int64_t>& input_shape) {
  const bool was_training = model.is_training();
  model.eval();
  models::LayerTrace trace;
  {
    torch::NoGradGuard no_grad;
    std::vector<int64_t> shape = {1};
    shape.insert(shape.end(), input_shape.begin(), input_shape.end());
    model.trace(torch::zeros(shape), &trace, "");
  }
  model.train(was_training);
  for (auto it = trace.layers.rbegin(); it != trace.layers.rend(); ++it)
    if (it->module && !it->module->parameters().empty()) return it->name;
  return "";
}

PretrainedLoad load_pretrained(models::Network& model, const config::ModelConfig& config,
                               const std::vector<int64_t>& input_shape) {
  if (config.type == "torchscript" || config.pretrained.empty()) return {};
  const std::string head = config.replace_head ? final_layer_name(model, input_shape) : "";
  const auto result = copy_matching_tensors(model, read_pretrained_tensors(config.pretrained), head);
  if (result.loaded.empty()) {
    throw DataError("model.pretrained: '" + config.pretrained +
                    "' shares no tensor (same name and shape) with this model; is it from another model.type?");
  }
  spdlog::info("model.pretrained: loaded {} tensors from {}{}", result.loaded.size(), config.pretrained,
               head.empty() ? "" : "; head " + head + " starts fresh");
  if (!result.skipped.empty()) spdlog::warn("model.pretrained: skipped {}", fmt::join(result.skipped, "; "));
  if (!result.missing.empty()) {
    spdlog::warn("model.pretrained: not in the source, left as initialized: {}", fmt::join(result.missing, ", "));
  }
  return result;
}

}  // namespace dltrain::train
