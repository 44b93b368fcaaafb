// Per-layer summary of a Sequential model (name, type, output shape, parameters), found by
// running one dummy sample through it: shape errors surface here, before any training.
#pragma once

#include <torch/nn/modules/container/sequential.h>

#include <cstdint>
#include <string>
#include <vector>

namespace dltrain::models {

struct LayerSummary {
  std::string name;
  std::string type;
  std::vector<int64_t> output_shape;  // per sample, without the batch dimension
  int64_t parameters = 0;
};

struct ModelSummary {
  std::vector<LayerSummary> layers;
  int64_t parameters = 0;
  int64_t trainable_parameters = 0;
};

ModelSummary summarize(torch::nn::Sequential& model, const std::vector<int64_t>& input_shape);

std::string format_summary_table(const ModelSummary& summary);

int64_t count_parameters(torch::nn::Module& module, bool trainable_only = false);

}  // namespace dltrain::models
