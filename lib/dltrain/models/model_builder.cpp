// The model registry: a new family is one file plus one line in kFamilies. Each entry lists
// the options the family reads, so an option meant for another family is not silently ignored.
#include "dltrain/models/model_builder.h"

#include <torch/torch.h>

#include "dltrain/config/config_compare.h"
#include "dltrain/core/error.h"
#include "dltrain/models/init.h"
#include "dltrain/models/layers.h"
#include "dltrain/models/model_families.h"

namespace dltrain::models {
namespace {

using Builder = std::shared_ptr<Network> (*)(const config::ModelConfig&, const ModelInput&);

struct Family {
  const char* type;
  Builder build;
  const char* activation;  // what `activation: auto` means for this family
  std::vector<std::string> options;
};

const std::vector<std::string> kResNetOptions = {"block", "blocks", "stem", "zero_init_residual", "width_multiplier",
                                                 "stochastic_depth", "norm", "norm_groups", "activation", "dropout"};
const std::vector<std::string> kMobileOptions = {"stem", "zero_init_residual", "width_multiplier", "norm",
                                                 "norm_groups", "activation", "dropout"};
const std::vector<std::string> kEfficientOptions = {"stem", "zero_init_residual", "width_multiplier",
                                                    "depth_multiplier", "stochastic_depth", "norm", "norm_groups",
                                                    "activation", "dropout"};

const std::vector<Family>& families() {
  static const std::vector<Family> kFamilies = {
      {"mlp", build_mlp, "relu", {"hidden", "norm", "norm_groups", "activation", "dropout"}},
      {"cnn", build_cnn, "relu",
       {"hidden", "channels", "kernel_size", "convs_per_stage", "norm", "norm_groups", "activation", "dropout"}},
      {"resnet", build_resnet, "relu", kResNetOptions},
      {"resnet18", build_resnet18, "relu", kResNetOptions},
      {"resnet34", build_resnet34, "relu", kResNetOptions},
      {"resnet50", build_resnet50, "relu", kResNetOptions},
      {"mobilenet_v2", build_mobilenet_v2, "relu6", kMobileOptions},
      {"efficientnet", build_efficientnet, "silu", kEfficientOptions},
      {"efficientnet_b0", build_efficientnet, "silu", kEfficientOptions},
      {"rnn", build_rnn, "tanh", {"cell", "hidden_size", "num_layers", "bidirectional", "dropout"}},
      {"sequential", build_sequential, "relu", {"layers", "activation"}},
      {"torchscript", build_torchscript, "relu", {}},
  };
  return kFamilies;
}

std::string joined(const std::vector<std::string>& names) {
  std::string text;
  for (const auto& name : names) text += (text.empty() ? "" : ", ") + name;
  return text;
}

// Options every family takes: what it is built for, how it is initialized or pre-trained.
bool is_common_option(const std::string& option) {
  return option == "type" || option == "input_shape" || option == "num_classes" || option == "init" ||
         option == "pretrained" || option == "replace_head" || option == "freeze";
}

void check_options(const Family& family, const config::ModelConfig& model) {
  config::ExperimentConfig given, defaults;
  given.model = model;
  defaults.model.type = model.type;
  for (const auto& key : config::differing_keys(given, defaults)) {
    const std::string option = key.substr(6, key.find('.', 6) - 6);  // "model.init.weight" -> "init"
    if (is_common_option(option)) continue;
    bool known = false;
    for (const auto& name : family.options) known = known || name == option;
    if (!known) {
      throw ConfigError("model." + option + ": not an option of " + family.type + " (its options are " +
                        joined(family.options) + ", init, input_shape, num_classes, pretrained, freeze)");
    }
  }
}

}  // namespace

std::vector<std::string> model_types() {
  std::vector<std::string> names;
  for (const auto& family : families()) names.emplace_back(family.type);
  return names;
}

std::shared_ptr<Network> build_model(const config::ModelConfig& config, const ModelInput& input) {
  for (const auto& family : families()) {
    if (config.type != family.type) continue;
    check_options(family, config);
    auto model = family.build(config, input);
    apply_init(*model, config.init, resolve_activation(config.activation, family.activation));
    if (config.zero_init_residual) zero_init_residual_branches(*model);
    return model;
  }
  throw ConfigError("model.type: unknown model type \"" + config.type + "\"; expected one of " + joined(model_types()));
}

bool has_explicit_input(const config::ModelConfig& config) {
  return !config.input_shape.empty() && config.num_classes > 0;
}

ModelInput model_input(const config::ModelConfig& config, const std::vector<int64_t>& data_shape,
                       int64_t data_classes) {
  auto text = [](const std::vector<int64_t>& shape) {
    std::string out;
    for (auto dim : shape) out += (out.empty() ? "" : ", ") + std::to_string(dim);
    return "[" + out + "]";
  };
  if (!config.input_shape.empty() && !data_shape.empty() && config.input_shape != data_shape) {
    throw ConfigError("model.input_shape: " + text(config.input_shape) + " does not match the data's samples " +
                      text(data_shape));
  }
  if (config.num_classes > 0 && data_classes > 0 && config.num_classes != data_classes) {
    throw ConfigError("model.num_classes: " + std::to_string(config.num_classes) + " does not match the data's " +
                      std::to_string(data_classes) + " classes");
  }
  return {config.input_shape.empty() ? data_shape : config.input_shape,
          config.num_classes > 0 ? config.num_classes : data_classes};
}

}  // namespace dltrain::models
