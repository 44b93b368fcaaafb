// model.pretrained for the model families dltrain builds: tensors from a dltrain checkpoint or
// run directory, or a safetensors file, copied into the model by name where the shapes agree.
#pragma once

#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include <torch/types.h>

#include "dltrain/config/experiment_config.h"
#include "dltrain/models/network.h"

namespace dltrain::train {

using NamedTensors = std::vector<std::pair<std::string, torch::Tensor>>;

// The named tensors of a run directory (its checkpoints/last.pt), a dltrain checkpoint or a
// .safetensors file. DataError naming model.pretrained when it is missing or unreadable.
NamedTensors read_pretrained_tensors(const std::string& source);

struct PretrainedLoad {
  std::vector<std::string> loaded;
  std::vector<std::string> skipped;  // "name: why" (shape mismatch, head replaced, not in the model)
  std::vector<std::string> missing;  // model tensors the source does not hold (they keep their init)
};

// Copies `tensors` into the model's parameters and buffers of the same name and shape. With
// `replace_head`, the final layer (`head`, a dotted module name) keeps its fresh initialization.
PretrainedLoad copy_matching_tensors(torch::nn::Module& model, const NamedTensors& tensors, const std::string& head);

// The dotted name of the last layer with parameters that a forward pass reaches (the classifier).
std::string final_layer_name(models::Network& model, const std::vector<int64_t>& input_shape);

// Applies model.pretrained / model.replace_head to a freshly built model and logs what was
// loaded and what was skipped. Nothing to do for type torchscript (the file is the model).
PretrainedLoad load_pretrained(models::Network& model, const config::ModelConfig& config,
                               const std::vector<int64_t>& input_shape);

}  // namespace dltrain::train
