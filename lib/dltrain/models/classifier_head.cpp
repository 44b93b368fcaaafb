// Hidden blocks then logits; names ("fc1", "act1", ...) make checkpoints and summaries readable.
#include "dltrain/models/classifier_head.h"

#include <torch/torch.h>

#include "dltrain/models/dropout.h"
#include "dltrain/models/layers.h"

namespace dltrain::models {

void append_classifier_head(ChainImpl& model, const config::ModelConfig& config, const std::string& activation,
                            int64_t in_features, int64_t num_classes) {
  const NormSpec norm{config.norm, config.norm_groups};
  int64_t features = in_features;
  for (size_t i = 0; i < config.hidden.size(); ++i) {
    const std::string n = std::to_string(i + 1);
    if (config.dropout > 0.0) model.add("drop" + n, Dropout(config.dropout));
    model.add("fc" + n, torch::nn::Linear(torch::nn::LinearOptions(features, config.hidden[i]).bias(norm.type == "none")));
    if (auto layer = make_norm1d(norm, config.hidden[i]); !layer.is_empty()) model.add("norm_fc" + n, std::move(layer));
    model.add("act_fc" + n, make_activation(activation));
    features = config.hidden[i];
  }
  if (config.dropout > 0.0) model.add("drop_out", Dropout(config.dropout));
  model.add("logits", torch::nn::Linear(features, num_classes));
}

}  // namespace dltrain::models
