// Recurrent classifier: an LSTM or GRU reads the sample as a sequence and a linear layer maps the
// last hidden state (both directions when bidirectional) to logits. An image [C, H, W] is read as
// H steps of C*W features (its rows); a feature vector [F] as F steps of one feature.
#include <torch/torch.h>

#include "dltrain/core/error.h"
#include "dltrain/models/model_families.h"

namespace dltrain::models {
namespace {

class RecurrentClassifierImpl : public Network {
 public:
  RecurrentClassifierImpl(const config::ModelConfig& config, const ModelInput& input) {
    const auto& shape = input.input_shape;
    step_features_ = shape.size() == 3 ? shape[0] * shape[2] : 1;
    directions_ = config.bidirectional ? 2 : 1;
    const double dropout = config.num_layers > 1 ? config.dropout : 0.0;  // between stacked layers only
    if (config.cell == "gru") {
      gru_ = register_module("rnn", torch::nn::GRU(torch::nn::GRUOptions(step_features_, config.hidden_size)
                                                       .num_layers(config.num_layers)
                                                       .batch_first(true)
                                                       .bidirectional(config.bidirectional)
                                                       .dropout(dropout)));
    } else {
      lstm_ = register_module("rnn", torch::nn::LSTM(torch::nn::LSTMOptions(step_features_, config.hidden_size)
                                                         .num_layers(config.num_layers)
                                                         .batch_first(true)
                                                         .bidirectional(config.bidirectional)
                                                         .dropout(dropout)));
    }
    fc_any_ = torch::nn::AnyModule(
        register_module("fc", torch::nn::Linear(config.hidden_size * directions_, input.num_classes)));
  }

  torch::Tensor trace(torch::Tensor x, LayerTrace* trace, const std::string& prefix) override {
    // [B, C, H, W] -> [B, H, C*W]; [B, F] -> [B, F, 1]
    torch::Tensor sequence = x.dim() == 4 ? x.permute({0, 2, 1, 3}).reshape({x.size(0), x.size(2), step_features_})
                                          : x.reshape({x.size(0), -1, 1});
    torch::Tensor outputs, hidden;
    if (gru_) {
      std::tie(outputs, hidden) = gru_->forward(sequence);
    } else {
      auto result = lstm_->forward(sequence);
      outputs = std::get<0>(result);
      hidden = std::get<0>(std::get<1>(result));
    }
    if (trace) {
      std::shared_ptr<torch::nn::Module> rnn = gru_ ? std::shared_ptr<torch::nn::Module>(gru_.ptr()) : lstm_.ptr();
      trace->layers.push_back(TracedLayer{child_name(prefix, "rnn"), rnn, sequence.sizes().vec(), outputs.sizes().vec()});
    }
    // The last layer's final state of each direction: [layers*dirs, B, H] -> [B, dirs*H].
    torch::Tensor last = hidden.slice(0, hidden.size(0) - directions_).transpose(0, 1).reshape({x.size(0), -1});
    return call_layer(fc_any_, last, trace, child_name(prefix, "fc"));
  }

 private:
  int64_t step_features_ = 1, directions_ = 1;
  torch::nn::LSTM lstm_{nullptr};
  torch::nn::GRU gru_{nullptr};
  torch::nn::AnyModule fc_any_;
};

}  // namespace

std::shared_ptr<Network> build_rnn(const config::ModelConfig& config, const ModelInput& input) {
  if (input.input_shape.size() != 3 && input.input_shape.size() != 1) {
    throw ConfigError("model.type: rnn needs image input [C, H, W] or a feature vector [F]");
  }
  return std::make_shared<RecurrentClassifierImpl>(config, input);
}

}  // namespace dltrain::models
