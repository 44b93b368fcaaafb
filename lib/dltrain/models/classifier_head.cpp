// Hidden blocks then logits; names ("fc1", "act1", ...) make checkpoints and summaries readable.
#include "dltrain/models/classifier_head.h"

#include <torch/torch.h>

#include "dltrain/models/layers.h"

namespace dltrain::models {

void append_classifier_head(torch::nn::SequentialImpl& model, const config::ModelConfig& config,
                            int64_t in_features, int64_t num_classes) {
  int64_t features = in_features;
  for (size_t i = 0; i < config.hidden.size(); ++i) {
    const std::string n = std::to_string(i + 1);
    if (config.dropout > 0.0) model.push_back("drop" + n, torch::nn::Dropout(config.dropout));
    model.push_back("fc" + n, torch::nn::Linear(torch::nn::LinearOptions(features, config.hidden[i]).bias(config.norm == "none")));
    if (auto norm = make_norm1d(config.norm, config.hidden[i]); !norm.is_empty()) model.push_back("norm_fc" + n, std::move(norm));
    model.push_back("act_fc" + n, make_activation(config.activation));
    features = config.hidden[i];
  }
  if (config.dropout > 0.0) model.push_back("drop_out", torch::nn::Dropout(config.dropout));
  model.push_back("logits", torch::nn::Linear(features, num_classes));
}

}  // namespace dltrain::models
