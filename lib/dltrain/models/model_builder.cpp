// The model registry: a new family is one file plus one line in kFamilies.
#include "dltrain/models/model_builder.h"

#include <torch/torch.h>

#include "dltrain/core/error.h"
#include "dltrain/models/init.h"
#include "dltrain/models/model_families.h"

namespace dltrain::models {
namespace {

using Builder = torch::nn::Sequential (*)(const config::ModelConfig&, const ModelInput&);

struct Family {
  const char* type;
  Builder build;
};

constexpr Family kFamilies[] = {
    {"mlp", build_mlp},
    {"cnn", build_cnn},
};

}  // namespace

std::vector<std::string> model_types() {
  std::vector<std::string> names;
  for (const auto& family : kFamilies) names.emplace_back(family.type);
  return names;
}

torch::nn::Sequential build_model(const config::ModelConfig& config, const ModelInput& input) {
  for (const auto& family : kFamilies) {
    if (config.type == family.type) {
      auto model = family.build(config, input);
      apply_init(*model, config.init, config.activation);
      return model;
    }
  }
  std::string known;
  for (const auto& name : model_types()) known += (known.empty() ? "" : ", ") + name;
  throw ConfigError("model.type: unknown model type \"" + config.type + "\"; expected one of " + known);
}

}  // namespace dltrain::models
