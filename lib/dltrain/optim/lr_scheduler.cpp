// The schedule registry (one line per schedule) and the warmup in front of every schedule.
#include "dltrain/optim/lr_scheduler.h"

#include <torch/torch.h>

#include <algorithm>

#include "dltrain/core/registry.h"

namespace dltrain::optim {
namespace {

constexpr RegistryEntry<ScheduleBuilder> kSchedules[] = {
    {"constant", make_constant},
    {"step", make_step},
    {"multistep", make_multistep},
    {"exponential", make_exponential},
    {"cosine", make_cosine},
    {"cosine_restarts", make_cosine_restarts},
    {"polynomial", make_polynomial},
    {"one_cycle", make_one_cycle},
    {"reduce_on_plateau", make_reduce_on_plateau},
};

}  // namespace

std::vector<std::string> schedule_types() { return registry_names(kSchedules); }

LrScheduler::LrScheduler(const config::SchedulerConfig& config, torch::optim::Optimizer& optimizer,
                         int64_t steps_per_epoch, int64_t epochs)
    : config_(config), optimizer_(optimizer) {
  const ScheduleBuilder build = find_builder(kSchedules, config.type, "scheduler.type");
  for (auto& group : optimizer.param_groups()) base_lrs_.push_back(group.options().get_lr());
  steps_per_epoch = std::max<int64_t>(steps_per_epoch, 1);
  const int64_t total = steps_per_epoch * epochs;
  warmup_ = config.warmup_epochs > 0 ? config.warmup_epochs * steps_per_epoch : config.warmup_steps;
  warmup_ = std::min(warmup_, total);
  schedule_ = build(config, ScheduleSpan{std::max<int64_t>(total - warmup_, 1), steps_per_epoch});
  apply();
}

LrScheduler::~LrScheduler() = default;

std::vector<double> LrScheduler::lrs_at(int64_t step) const {
  std::vector<double> lrs;
  for (std::size_t g = 0; g < base_lrs_.size(); ++g) {
    if (step < warmup_) {
      // torch LinearLR: from start_factor to 1 over the warmup steps.
      const double f = config_.warmup_start_factor;
      lrs.push_back(base_lrs_[g] * (f + (1.0 - f) * static_cast<double>(step) / static_cast<double>(warmup_)));
    } else {
      lrs.push_back(schedule_->lr(g, base_lrs_[g], step - warmup_));
    }
  }
  return lrs;
}

void LrScheduler::apply() {
  const auto lrs = lrs_at(step_);
  auto& groups = optimizer_.param_groups();
  for (std::size_t g = 0; g < groups.size() && g < lrs.size(); ++g) groups[g].options().set_lr(lrs[g]);
}

void LrScheduler::step() {
  ++step_;
  apply();
}

bool LrScheduler::needs_metric() const { return schedule_->wants_metric(); }

void LrScheduler::epoch_end(double metric) {
  // Epochs that ran entirely inside the warmup say nothing about the schedule's lr.
  if (!schedule_->wants_metric() || step_ <= warmup_) return;
  schedule_->epoch_end(metric, lrs_at(step_));
  apply();
}

void LrScheduler::save(torch::serialize::OutputArchive& archive) const {
  archive.write("step", c10::IValue(step_));
  torch::serialize::OutputArchive schedule;
  schedule_->save(schedule);
  archive.write("schedule", schedule);
}

void LrScheduler::load(torch::serialize::InputArchive& archive) {
  c10::IValue step;
  archive.read("step", step);
  step_ = step.toInt();
  torch::serialize::InputArchive schedule;
  archive.read("schedule", schedule);
  schedule_->load(schedule);
  apply();
}

}  // namespace dltrain::optim
