// Shadow tensors live on the model's device; all updates run without autograd.
#include "dltrain/train/weight_ema.h"

#include <torch/torch.h>

#include <algorithm>

#include "dltrain/core/error.h"

namespace dltrain::train {

WeightEma::WeightEma(torch::nn::Module& model, double decay) : decay_(decay) {
  torch::NoGradGuard no_grad;
  for (const auto& tensor : tensors_of(model)) shadow_.push_back(tensor.detach().clone());
}

std::vector<torch::Tensor> WeightEma::tensors_of(torch::nn::Module& model) const {
  std::vector<torch::Tensor> tensors = model.parameters();
  for (const auto& buffer : model.buffers()) tensors.push_back(buffer);
  return tensors;
}

double WeightEma::decay_at(int64_t updates) const {
  return std::min(decay_, (1.0 + static_cast<double>(updates)) / (10.0 + static_cast<double>(updates)));
}

void WeightEma::update(torch::nn::Module& model) {
  torch::NoGradGuard no_grad;
  const double d = decay_at(updates_);
  const auto live = tensors_of(model);
  for (std::size_t i = 0; i < live.size(); ++i) {
    if (shadow_[i].is_floating_point()) {
      shadow_[i].mul_(d).add_(live[i].detach(), 1.0 - d);
    } else {
      shadow_[i].copy_(live[i]);
    }
  }
  ++updates_;
}

void WeightEma::swap(torch::nn::Module& model) {
  torch::NoGradGuard no_grad;
  const auto live = tensors_of(model);
  for (std::size_t i = 0; i < live.size(); ++i) {
    auto kept = live[i].detach().clone();
    live[i].detach().copy_(shadow_[i]);
    shadow_[i].copy_(kept);
  }
}

void WeightEma::copy_to(torch::nn::Module& model) const {
  torch::NoGradGuard no_grad;
  const auto live = tensors_of(model);
  for (std::size_t i = 0; i < live.size(); ++i) live[i].detach().copy_(shadow_[i]);
}

void WeightEma::save(torch::serialize::OutputArchive& archive) const {
  archive.write("updates", c10::IValue(updates_));
  for (std::size_t i = 0; i < shadow_.size(); ++i) archive.write("t" + std::to_string(i), shadow_[i], true);
}

void WeightEma::load(torch::serialize::InputArchive& archive) {
  c10::IValue updates;
  archive.read("updates", updates);
  updates_ = updates.toInt();
  for (std::size_t i = 0; i < shadow_.size(); ++i) {
    torch::Tensor stored;
    archive.read("t" + std::to_string(i), stored, true);
    if (!stored.sizes().equals(shadow_[i].sizes()))
      throw DataError("EMA state does not match the model (tensor " + std::to_string(i) + ")");
    torch::NoGradGuard no_grad;
    shadow_[i].copy_(stored);
  }
}

}  // namespace dltrain::train
