// Visits every conv, linear and recurrent layer; norm layers keep their (1, 0) affine defaults.
#include "dltrain/models/init.h"
#include "dltrain/models/sync_batchnorm.h"

#include <torch/torch.h>

#include "dltrain/core/error.h"
#include "dltrain/models/residual.h"

namespace dltrain::models {
namespace {

torch::nn::init::NonlinearityType gain_of(const std::string& name) {
  if (name == "tanh") return torch::kTanh;
  if (name == "sigmoid") return torch::kSigmoid;
  if (name == "leaky_relu") return torch::kLeakyReLU;
  if (name == "linear") return torch::kLinear;
  return torch::kReLU;  // relu and the ReLU-like activations (elu, gelu, silu, relu6)
}

void init_weight(torch::Tensor weight, const config::InitConfig& init, const std::string& activation) {
  namespace nn_init = torch::nn::init;
  const std::string nonlinearity = init.nonlinearity == "auto" ? activation : init.nonlinearity;
  const double slope = nonlinearity == "leaky_relu" ? 0.01 : 0.0;
  const torch::nn::init::FanModeType mode = init.mode == "fan_out" ? torch::nn::init::FanModeType(torch::kFanOut)
                                                                   : torch::nn::init::FanModeType(torch::kFanIn);
  const std::string& scheme = init.weight;
  if (scheme == "kaiming_normal") nn_init::kaiming_normal_(weight, slope, mode, gain_of(nonlinearity));
  else if (scheme == "kaiming_uniform") nn_init::kaiming_uniform_(weight, slope, mode, gain_of(nonlinearity));
  else if (scheme == "xavier_normal") nn_init::xavier_normal_(weight);
  else if (scheme == "xavier_uniform") nn_init::xavier_uniform_(weight);
  else if (scheme == "orthogonal") nn_init::orthogonal_(weight);
  else if (scheme == "normal") nn_init::normal_(weight, 0.0, init.std);
  else throw ConfigError("model.init.weight: unknown scheme \"" + scheme + "\"");
}

bool is_norm(torch::nn::Module& module) {
  return module.as<torch::nn::BatchNorm2dImpl>() || module.as<torch::nn::BatchNorm1dImpl>() || module.as<SyncBatchNormImpl>() ||
         module.as<torch::nn::GroupNormImpl>() || module.as<torch::nn::LayerNormImpl>() ||
         module.as<torch::nn::InstanceNorm2dImpl>();
}

// The main path's last norm, looking inside nested chains (torchvision's `conv`/`block` units).
torch::nn::Module* last_norm(const ChainImpl& chain) {
  const auto& layers = chain.layers();
  for (auto it = layers.rbegin(); it != layers.rend(); ++it) {
    torch::nn::Module& module = *it->second.ptr();
    if (is_norm(module)) return &module;
    if (auto* inner = dynamic_cast<ChainImpl*>(&module); inner && !dynamic_cast<ResidualImpl*>(inner)) {
      if (auto* found = last_norm(*inner)) return found;
    }
  }
  return nullptr;
}

}  // namespace

void apply_init(torch::nn::Module& model, const config::InitConfig& init, const std::string& activation) {
  if (init.weight == "default" && init.bias == "default") return;
  torch::NoGradGuard no_grad;
  model.apply([&](torch::nn::Module& module) {
    std::vector<torch::Tensor> weights, biases;
    if (auto* conv = module.as<torch::nn::Conv2dImpl>()) {
      weights.push_back(conv->weight);
      biases.push_back(conv->bias);
    } else if (auto* linear = module.as<torch::nn::LinearImpl>()) {
      weights.push_back(linear->weight);
      biases.push_back(linear->bias);
    } else if (module.as<torch::nn::LSTMImpl>() || module.as<torch::nn::GRUImpl>()) {
      for (auto& p : module.named_parameters(/*recurse=*/false)) {
        (p.key().rfind("weight", 0) == 0 ? weights : biases).push_back(p.value());
      }
    } else {
      return;
    }
    if (init.weight != "default")
      for (auto& w : weights) init_weight(w, init, activation);
    if (init.bias == "zeros")
      for (auto& b : biases)
        if (b.defined()) b.zero_();
  });
}

void zero_init_residual_branches(torch::nn::Module& model) {
  torch::NoGradGuard no_grad;
  model.apply([](torch::nn::Module& module) {
    auto* block = dynamic_cast<ResidualImpl*>(&module);
    if (!block) return;
    if (auto* norm = last_norm(*block)) {
      for (auto& p : norm->named_parameters(false))
        if (p.key() == "weight") p.value().zero_();
    }
  });
}

}  // namespace dltrain::models
