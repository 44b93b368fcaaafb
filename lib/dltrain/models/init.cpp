// Visits every conv and linear layer; norm layers keep their (1, 0) affine defaults.
#include "dltrain/models/init.h"

#include <torch/torch.h>

#include "dltrain/core/error.h"

namespace dltrain::models {
namespace {

void init_weight(torch::Tensor& weight, const std::string& scheme, const std::string& activation) {
  namespace init = torch::nn::init;
  // Kaiming's gain: ReLU-like activations use the ReLU gain, tanh/sigmoid their own.
  torch::nn::init::NonlinearityType nonlinearity = torch::kReLU;
  if (activation == "tanh") nonlinearity = torch::kTanh;
  if (activation == "sigmoid") nonlinearity = torch::kSigmoid;
  if (activation == "leaky_relu") nonlinearity = torch::kLeakyReLU;
  const double slope = activation == "leaky_relu" ? 0.01 : 0.0;
  if (scheme == "kaiming_normal") init::kaiming_normal_(weight, slope, torch::kFanIn, nonlinearity);
  else if (scheme == "kaiming_uniform") init::kaiming_uniform_(weight, slope, torch::kFanIn, nonlinearity);
  else if (scheme == "xavier_normal") init::xavier_normal_(weight);
  else if (scheme == "xavier_uniform") init::xavier_uniform_(weight);
  else throw ConfigError("model.init.weight: unknown scheme \"" + scheme + "\"");
}

}  // namespace

void apply_init(torch::nn::Module& model, const config::InitConfig& init, const std::string& activation) {
  if (init.weight == "default" && init.bias == "default") return;
  torch::NoGradGuard no_grad;
  model.apply([&](torch::nn::Module& module) {
    torch::Tensor weight, bias;
    if (auto* conv = module.as<torch::nn::Conv2dImpl>()) {
      weight = conv->weight;
      bias = conv->bias;
    } else if (auto* linear = module.as<torch::nn::LinearImpl>()) {
      weight = linear->weight;
      bias = linear->bias;
    } else {
      return;
    }
    if (init.weight != "default") init_weight(weight, init.weight, activation);
    if (init.bias == "zeros" && bias.defined()) bias.zero_();
  });
}

}  // namespace dltrain::models
