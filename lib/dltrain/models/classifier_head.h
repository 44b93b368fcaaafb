// The fully connected tail shared by mlp and cnn: hidden [linear, norm, act, dropout] blocks
// and the final linear layer producing class logits.
#pragma once

#include "dltrain/config/experiment_config.h"
#include "dltrain/models/network.h"

namespace dltrain::models {

void append_classifier_head(ChainImpl& model, const config::ModelConfig& config, const std::string& activation,
                            int64_t in_features, int64_t num_classes);

}  // namespace dltrain::models
