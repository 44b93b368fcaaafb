// Per-layer summary of a model (name, type, output shape, parameters, trainable or frozen,
// multiply-accumulates), found by tracing one dummy sample through it: shape errors surface
// here, before any training.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "dltrain/models/network.h"

namespace dltrain::models {

struct LayerSummary {
  std::string name;   // dotted, as in the parameter names (layer1.0.conv1)
  std::string type;   // Conv2d, BatchNorm2d, ...
  std::vector<int64_t> output_shape;  // per sample, without the batch dimension
  int64_t parameters = 0;
  std::string training;  // trainable | frozen | partial | "" (no parameters)
  int64_t macs = 0;      // multiply-accumulates per sample (conv, linear, recurrent layers)
};

struct ModelSummary {
  std::vector<LayerSummary> layers;
  int64_t parameters = 0;
  int64_t trainable_parameters = 0;
  int64_t macs = 0;                // per sample
  int64_t activation_values = 0;   // every layer's output values for one sample
  int64_t batch_size = 1;          // the batch the activation memory is given for
  int64_t activation_bytes() const { return activation_values * batch_size * 4; }  // float32
};

ModelSummary summarize(Network& model, const std::vector<int64_t>& input_shape, int64_t batch_size = 1);

// The table, then the totals.
std::string format_summary_table(const ModelSummary& summary);

int64_t count_parameters(torch::nn::Module& module, bool trainable_only = false);

// Multiply-accumulates of one traced layer per sample; 0 for layers that only rescale or move data.
int64_t layer_macs(const TracedLayer& layer);

}  // namespace dltrain::models
