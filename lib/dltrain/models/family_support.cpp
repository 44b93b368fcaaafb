// Helpers the zoo families share, kept out of the registry so each family file stays on its job.
#include <torch/torch.h>

#include <algorithm>

#include "dltrain/core/error.h"
#include "dltrain/models/model_families.h"

namespace dltrain::models {

void require_image_input(const char* family, const ModelInput& input) {
  if (input.input_shape.size() != 3) {
    throw ConfigError(std::string("model.type: ") + family + " needs image input [C, H, W], the data has " +
                      std::to_string(input.input_shape.size()) + " dimension(s)");
  }
}

int64_t make_divisible(double value, int64_t divisor) {
  int64_t rounded = std::max<int64_t>(divisor, static_cast<int64_t>(value + divisor / 2.0) / divisor * divisor);
  if (rounded < 0.9 * value) rounded += divisor;
  return rounded;
}

void init_convs_fan_out(torch::nn::Module& model) {
  torch::NoGradGuard no_grad;
  model.apply([](torch::nn::Module& module) {
    if (auto* conv = module.as<torch::nn::Conv2dImpl>()) {
      torch::nn::init::kaiming_normal_(conv->weight, 0.0, torch::kFanOut, torch::kReLU);
      if (conv->bias.defined()) conv->bias.zero_();
    }
  });
}

}  // namespace dltrain::models
