#include "dltrain/models/memory_format.h"

#include <torch/torch.h>

namespace dltrain::models {
namespace {

bool has_4d_weights(torch::nn::Module& model) {
  for (const auto& param : model.parameters())
    if (param.dim() == 4) return true;
  return false;
}

}  // namespace

c10::MemoryFormat choose_memory_format(const std::string& setting, torch::nn::Module& model, const c10::Device& device,
                                       bool amp) {
  if (setting == "channels_last") return c10::MemoryFormat::ChannelsLast;
  if (setting == "contiguous" || !has_4d_weights(model)) return c10::MemoryFormat::Contiguous;
  return device.is_cpu() || amp ? c10::MemoryFormat::ChannelsLast : c10::MemoryFormat::Contiguous;
}

void apply_memory_format(torch::nn::Module& model, c10::MemoryFormat format) {
  torch::NoGradGuard no_grad;
  for (auto& param : model.parameters()) {
    if (param.dim() == 4) param.set_data(param.data().contiguous(format));
  }
}

c10::MemoryFormat use_memory_format(const std::string& setting, torch::nn::Module& model, const c10::Device& device,
                                    bool amp) {
  const auto format = choose_memory_format(setting, model, device, amp);
  apply_memory_format(model, format);
  return format;
}

}  // namespace dltrain::models
