// Multi-layer perceptron: flatten, then [linear, norm, activation, dropout] per hidden width.
#include <torch/torch.h>

#include "dltrain/core/error.h"
#include "dltrain/models/classifier_head.h"
#include "dltrain/models/model_families.h"

namespace dltrain::models {

torch::nn::Sequential build_mlp(const config::ModelConfig& config, const ModelInput& input) {
  int64_t features = 1;
  for (int64_t dim : input.input_shape) features *= dim;
  torch::nn::Sequential model;
  model->push_back("flatten", torch::nn::Flatten());
  append_classifier_head(*model, config, features, input.num_classes);
  return model;
}

}  // namespace dltrain::models
