// Multi-layer perceptron: flatten, then [linear, norm, activation, dropout] per hidden width.
#include <torch/torch.h>

#include "dltrain/models/classifier_head.h"
#include "dltrain/models/layers.h"
#include "dltrain/models/model_families.h"

namespace dltrain::models {

std::shared_ptr<Network> build_mlp(const config::ModelConfig& config, const ModelInput& input) {
  int64_t features = 1;
  for (int64_t dim : input.input_shape) features *= dim;
  auto model = std::make_shared<ChainImpl>();
  model->add("flatten", torch::nn::Flatten());
  append_classifier_head(*model, config, resolve_activation(config.activation, "relu"), features, input.num_classes);
  return model;
}

}  // namespace dltrain::models
