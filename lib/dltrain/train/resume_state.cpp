// Plain values go in as IValues, tensors as tensors; every field is read back by name.
#include "dltrain/train/resume_state.h"

#include <ATen/CPUGeneratorImpl.h>
#include <torch/torch.h>

#include <mutex>

#include "dltrain/core/error.h"

namespace dltrain::train {
namespace {

c10::IValue read(torch::serialize::InputArchive& archive, const char* key) {
  c10::IValue value;
  archive.read(key, value);
  return value;
}

std::vector<torch::Tensor> model_tensors(torch::nn::Module& model) {
  std::vector<torch::Tensor> tensors;
  for (const auto& item : model.named_parameters()) tensors.push_back(item.value());
  for (const auto& item : model.named_buffers()) tensors.push_back(item.value());
  return tensors;
}

}  // namespace

void TrainingPosition::save(torch::serialize::OutputArchive& archive) const {
  archive.write("epochs_done", c10::IValue(epochs_done));
  archive.write("steps_in_epoch", c10::IValue(steps_in_epoch));
  archive.write("global_step", c10::IValue(global_step));
  archive.write("loss_sum", c10::IValue(loss_sum));
  archive.write("correct", c10::IValue(correct));
  archive.write("samples", c10::IValue(samples));
  archive.write("best_epoch", c10::IValue(best_epoch));
  archive.write("best_value", c10::IValue(best_value));
  archive.write("best_metrics", c10::IValue(best_metrics_json));
  archive.write("stop_reason", c10::IValue(stop_reason));
}

void TrainingPosition::load(torch::serialize::InputArchive& archive) {
  epochs_done = read(archive, "epochs_done").toInt();
  steps_in_epoch = read(archive, "steps_in_epoch").toInt();
  global_step = read(archive, "global_step").toInt();
  loss_sum = read(archive, "loss_sum").toDouble();
  correct = read(archive, "correct").toInt();
  samples = read(archive, "samples").toInt();
  best_epoch = read(archive, "best_epoch").toInt();
  best_value = read(archive, "best_value").toDouble();
  best_metrics_json = read(archive, "best_metrics").toStringRef();
  stop_reason = read(archive, "stop_reason").toStringRef();
}

void GeneratorState::save(torch::serialize::OutputArchive& archive) const {
  auto generator = at::detail::getDefaultCPUGenerator();
  std::lock_guard<std::mutex> lock(generator.mutex());
  archive.write("cpu", generator.get_state());
}

void GeneratorState::load(torch::serialize::InputArchive& archive) {
  torch::Tensor state;
  archive.read("cpu", state);
  auto generator = at::detail::getDefaultCPUGenerator();
  std::lock_guard<std::mutex> lock(generator.mutex());
  generator.set_state(state);
}

void WeightSnapshot::take(torch::nn::Module& model) {
  torch::NoGradGuard no_grad;
  tensors_.clear();
  for (const auto& tensor : model_tensors(model)) tensors_.push_back(tensor.detach().clone());
}

void WeightSnapshot::restore_into(torch::nn::Module& model) const {
  const auto targets = model_tensors(model);
  if (targets.size() != tensors_.size()) throw InternalError("weight snapshot does not match the model");
  torch::NoGradGuard no_grad;
  for (size_t i = 0; i < targets.size(); ++i) targets[i].copy_(tensors_[i]);
}

void WeightSnapshot::save(torch::serialize::OutputArchive& archive) const {
  archive.write("count", c10::IValue(static_cast<int64_t>(tensors_.size())));
  for (size_t i = 0; i < tensors_.size(); ++i) archive.write("t" + std::to_string(i), tensors_[i].to(torch::kCPU));
}

void WeightSnapshot::load(torch::serialize::InputArchive& archive) {
  const int64_t count = read(archive, "count").toInt();
  tensors_.assign(static_cast<size_t>(count), torch::Tensor());
  for (int64_t i = 0; i < count; ++i) archive.read("t" + std::to_string(i), tensors_[static_cast<size_t>(i)]);
}

}  // namespace dltrain::train
