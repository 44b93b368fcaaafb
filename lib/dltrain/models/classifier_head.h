// The fully connected tail shared by mlp and cnn: hidden [linear, norm, act, dropout] blocks
// and the final linear layer producing class logits.
#pragma once

#include <torch/nn/modules/container/sequential.h>

#include "dltrain/config/experiment_config.h"

namespace dltrain::models {

void append_classifier_head(torch::nn::SequentialImpl& model, const config::ModelConfig& config,
                            int64_t in_features, int64_t num_classes);

}  // namespace dltrain::models
