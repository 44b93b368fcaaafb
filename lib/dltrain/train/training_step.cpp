// The per-batch step. Accumulation divides each batch's loss by the group's batch count, so k
// batches of b accumulate the gradient of one mean over k*b samples.
#include "dltrain/train/training_step.h"

#include <fmt/format.h>
#include <torch/torch.h>

#include <cmath>
#include <csignal>

#include "dltrain/core/error.h"
#include "dltrain/core/torch_compat.h"
#include "dltrain/dist/gradient_sync.h"
#include "dltrain/optim/lr_scheduler.h"
#include "dltrain/train/gradient_monitor.h"
#include "dltrain/train/interrupt.h"
#include "dltrain/train/loss_scaler.h"
#include "dltrain/train/regularization.h"
#include "dltrain/train/weight_ema.h"

namespace dltrain::train {
namespace {

// Decisions a data-parallel step shares with the other ranks (see GradientSync::average).
constexpr uint32_t kNonfiniteFlag = 1u << 0;
constexpr uint32_t kInterruptFlag = 1u << 1;  // SIGINT
constexpr uint32_t kTerminateFlag = 1u << 2;  // SIGTERM

// "nan", "inf" or "-inf" (fmt would print a NaN's sign bit as "-nan").
std::string nonfinite_text(double value) {
  if (std::isnan(value)) return "nan";
  return value > 0 ? "inf" : "-inf";
}

// Each gradient's norm, in float64: float32 squares of large but finite norms overflow.
torch::Tensor layer_norms(const std::vector<torch::Tensor>& grads) {
  std::vector<torch::Tensor> norms;
  for (const auto& grad : grads) norms.push_back(grad.norm().to(torch::kFloat64));
  return torch::stack(norms);
}

void clip_values(std::vector<torch::Tensor>& grads, double limit) {
  for (auto& grad : grads) grad.clamp_(-limit, limit);
}

}  // namespace

void TrainingStep::save(torch::serialize::OutputArchive& archive) const {
  archive.write("steps", torch::tensor(steps_, torch::kInt64));
  archive.write("skipped", torch::tensor(skipped_, torch::kInt64));
}

void TrainingStep::load(torch::serialize::InputArchive& archive) {
  torch::Tensor value;
  archive.read("steps", value);
  steps_ = value.item<int64_t>();
  archive.read("skipped", value);
  skipped_ = value.item<int64_t>();
}

int64_t optimizer_steps_per_epoch(int64_t batches, int64_t accumulate) {
  return (batches + accumulate - 1) / accumulate;
}

std::string first_nonfinite_gradient(torch::nn::Module& module) {
  for (const auto& item : module.named_parameters()) {
    const auto& grad = item.value().grad();
    if (grad.defined() && !torch::isfinite(grad).all().item<bool>()) return item.key();
  }
  return "";
}

std::string first_nonfinite_parameter(torch::nn::Module& module) {
  torch::NoGradGuard no_grad;
  for (const auto& item : module.named_parameters())
    if (!torch::isfinite(item.value()).all().item<bool>()) return item.key();
  return "";
}

void check_amp_device(const config::TrainConfig& train, const c10::Device& device) {
  if (train.amp && !device.is_cuda())
    throw ConfigError("train.amp: mixed precision needs a CUDA device, but this run uses " + device.str() +
                      "; set train.amp: false (or device: cuda on a CUDA build)");
}

TrainingStep::TrainingStep(const config::ExperimentConfig& config, StepModel model, torch::optim::Optimizer& optimizer,
                           const LossFunction& loss, const c10::Device& device, optim::LrScheduler* scheduler,
                           WeightEma* ema)
    : config_(config), model_(std::move(model)), optimizer_(optimizer), loss_(loss), device_(device),
      scheduler_(scheduler), ema_(ema) {
  check_amp_device(config.train, device);
  std::vector<std::pair<std::string, torch::Tensor>> named;
  // Frozen parameters are listed too (their gradient stays undefined) so that
  // train.unfreeze_at_epoch can make them trainable mid-run; the monitor watches trainable ones.
  for (const auto& item : model_.module.named_parameters()) {
    names_.push_back(item.key());
    params_.push_back(item.value());
    if (item.value().requires_grad()) named.emplace_back(item.key(), item.value());
  }
  penalized_ = penalized_weights(model_.module);
  if (config.train.grad_monitor.enabled) monitor_ = std::make_unique<GradientMonitor>(config.train.grad_monitor, named);
  if (config.train.amp) scaler_ = std::make_unique<LossScaler>(device);
  // Skipping a step, an fp16 overflow and the ranks' shared decision need the answer on the host
  // every step (as torch's GradScaler reads found_inf); stopping can wait for check_finite().
  host_decides_ = config.train.nonfinite != "stop" || scaler_ != nullptr;
  losses_ = torch::empty({std::max<int64_t>(1, config.train.log_every)}, torch::TensorOptions(device).dtype(torch::kFloat32));
}

void TrainingStep::synchronize_with(dist::GradientSync* sync) {
  sync_ = sync;
  if (sync_) host_decides_ = true;
}

TrainingStep::~TrainingStep() = default;

void TrainingStep::start_epoch(int64_t epoch, int64_t batches) {
  epoch_ = epoch;
  batch_ = 0;
  batches_left_ = batches;
  in_group_ = 0;
}

void TrainingStep::diverged(const std::string& what) const { diverged_at({epoch_, batch_, steps_ + 1}, what); }

void TrainingStep::diverged_at(const RecordedBatch& at, const std::string& what) {
  throw DivergedError(fmt::format(
      "training diverged at epoch {}, batch {} (optimizer step {}): {}; lower optimizer.lr, set "
      "train.grad_clip, or use train.nonfinite: skip",
      at.epoch, at.batch, at.step, what));
}

void TrainingStep::record_loss(const torch::Tensor& loss) {
  if (recorded_.size() == static_cast<std::size_t>(losses_.size(0))) check_finite();
  losses_[static_cast<int64_t>(recorded_.size())].copy_(loss, /*non_blocking=*/true);
  recorded_.push_back({epoch_, batch_, steps_ + 1});
}

void TrainingStep::check_finite() {
  if (recorded_.empty()) return;
  const auto losses = losses_.narrow(0, 0, static_cast<int64_t>(recorded_.size())).to(torch::kCPU);
  const float* value = losses.data_ptr<float>();
  for (std::size_t i = 0; i < recorded_.size(); ++i) {
    if (std::isfinite(value[i])) continue;
    // Found up to log_every steps later: the weights those steps updated say where it spread.
    const std::string layer = first_nonfinite_parameter(model_.module);
    diverged_at(recorded_[i], fmt::format("the loss is {}{}", nonfinite_text(value[i]),
                                          layer.empty() ? "" : "; first non-finite weights in layer " + layer));
  }
  recorded_.clear();
}

BatchResult TrainingStep::run(const torch::Tensor& inputs, const torch::Tensor& targets) {
  BatchResult result;
  if (in_group_ == 0) {
    for (auto& param : params_) param.mutable_grad().reset();
    group_size_ = std::max<int64_t>(1, std::min(config_.train.accumulate, batches_left_));
    group_nonfinite_ = false;
  }
  ++batch_;
  --batches_left_;
  ++in_group_;

  torch::Tensor logits;
  if (scaler_) {
    compat::AutocastScope autocast(device_.type(), torch::kHalf);
    logits = model_.forward(inputs);
  } else {
    logits = model_.forward(inputs);
  }
  logits = logits.to(torch::kFloat32);
  const auto data_loss = loss_.mean(logits, targets);
  result.loss = data_loss.detach();
  result.logits = logits.detach();

  bool finite = true;
  if (host_decides_) {
    const double value = data_loss.item<double>();
    finite = std::isfinite(value);
    if (!finite && config_.train.nonfinite == "stop") {
      // Backward anyway: the first layer whose gradient breaks tells the user where it starts.
      data_loss.backward();
      const std::string layer = first_nonfinite_gradient(model_.module);
      diverged(fmt::format("the loss is {}{}", nonfinite_text(value),
                           layer.empty() ? "" : "; first non-finite gradient in layer " + layer));
    }
  } else {
    record_loss(result.loss);
  }
  if (!finite) {
    group_nonfinite_ = true;
    result.counted = false;
  } else if (!group_nonfinite_) {
    auto total = data_loss;
    if (const auto penalty = weight_penalty(config_.regularization, penalized_); penalty.defined())
      total = total + penalty;
    if (group_size_ > 1) total = total / static_cast<double>(group_size_);  // one batch: no op, no node
    (scaler_ ? scaler_->scale(total) : total).backward();
  }

  if (in_group_ == group_size_) {
    in_group_ = 0;
    finish_group(result);
  }
  result.step = steps_;
  return result;
}

void TrainingStep::finish_group(BatchResult& result) {
  torch::NoGradGuard no_grad;
  result.stepped = true;
  result.stop_signal = InterruptHandler::pending();
  if (sync_) {
    const uint32_t local = (group_nonfinite_ ? kNonfiniteFlag : 0) | (result.stop_signal == SIGINT ? kInterruptFlag : 0) |
                           (result.stop_signal == SIGTERM ? kTerminateFlag : 0);
    const uint32_t shared = sync_->average(local);
    group_nonfinite_ = (shared & kNonfiniteFlag) != 0;
    result.stop_signal = (shared & kInterruptFlag) ? SIGINT : (shared & kTerminateFlag) ? SIGTERM : 0;
  }
  std::vector<torch::Tensor> grads;
  for (auto& param : params_)
    if (param.grad().defined()) grads.push_back(param.grad());

  bool amp_overflow = false;
  if (scaler_ && !group_nonfinite_) amp_overflow = scaler_->unscale(grads);

  const auto& clip = config_.train.grad_clip;
  if (!host_decides_) {
    // Nothing is read back: clipping scales by min(1, max_norm / (norm + 1e-6)) on the device.
    if (clip.norm > 0 && !grads.empty()) {
      const auto coef = (clip.norm / (layer_norms(grads).norm() + 1e-6)).clamp_max(1.0);
      for (auto& grad : grads) grad.mul_(coef);
    } else if (clip.value > 0) {
      clip_values(grads, clip.value);
    }
    apply_update(result);
    return;
  }

  double total_norm = 0.0;
  if (!group_nonfinite_ && !amp_overflow && !grads.empty()) {
    const auto norms = layer_norms(grads);
    total_norm = norms.norm().item<double>();
    if (!std::isfinite(total_norm)) {
      if (config_.train.nonfinite == "stop") {
        std::string layer = first_nonfinite_gradient(model_.module);
        if (layer.empty()) {  // finite elements whose float32 norm overflows
          for (std::size_t i = 0, g = 0; i < params_.size() && layer.empty(); ++i)
            if (params_[i].grad().defined() && !std::isfinite(norms[g++].item<double>())) layer = names_[i];
        }
        diverged("non-finite gradient in layer " + layer);
      }
      group_nonfinite_ = true;
    }
  }

  const bool skip = group_nonfinite_ || amp_overflow;
  if (!skip) {
    if (clip.norm > 0) {
      // torch.nn.utils.clip_grad_norm_: scale by max_norm / (norm + 1e-6) when that is < 1.
      const double coef = clip.norm / (total_norm + 1e-6);
      if (coef < 1.0)
        for (auto& grad : grads) grad.mul_(coef);
    } else if (clip.value > 0) {
      clip_values(grads, clip.value);
    }
  } else {
    result.skipped = true;
    if (!amp_overflow) ++skipped_;  // an fp16 overflow is the scaler's normal search, not divergence
  }
  if (scaler_) {
    if (group_nonfinite_) scaler_->mark_overflow();  // fp16 forward overflow: back off the scale
    scaler_->update();
  }
  apply_update(result);
}

void TrainingStep::apply_update(BatchResult& result) {
  if (!result.skipped) {
    const bool monitored = monitor_ && (steps_ + 1) % config_.train.log_every == 0;
    if (monitored) monitor_->before_step();
    optimizer_.step();
    if (ema_) ema_->update(model_.module);
    if (monitored) result.health = monitor_->after_step();
  }
  ++steps_;
  // Skipped steps still advance the schedule, so its length stays the planned one.
  if (scheduler_) scheduler_->step();
  for (auto& param : params_) param.mutable_grad().reset();
}

}  // namespace dltrain::train
