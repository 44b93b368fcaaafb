// What a learning-rate schedule is: a function of (group base lr, step after warmup), plus state
// for the one schedule that reacts to metrics (reduce_on_plateau). One file per schedule in
// schedules/, one line in lr_scheduler.cpp's registry.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <vector>

#include "dltrain/config/experiment_config.h"

namespace torch::serialize {
class OutputArchive;
class InputArchive;
}  // namespace torch::serialize

namespace dltrain::optim {

// The steps the schedule spans: everything after the warmup.
struct ScheduleSpan {
  int64_t total_steps = 1;      // >= 1
  int64_t steps_per_epoch = 1;  // >= 1; epoch schedules change every steps_per_epoch steps
};

class LrSchedule {
 public:
  virtual ~LrSchedule() = default;
  // The lr of group `group` (base lr `base`) for optimizer step `step` (0 = first step after warmup).
  virtual double lr(std::size_t group, double base, int64_t step) const = 0;
  virtual bool wants_metric() const { return false; }
  // Called at each epoch end after the warmup with the monitored metric and the groups' lrs.
  virtual void epoch_end(double /*metric*/, const std::vector<double>& /*lrs*/) {}
  virtual void save(torch::serialize::OutputArchive& /*archive*/) const {}
  virtual void load(torch::serialize::InputArchive& /*archive*/) {}
};

using ScheduleBuilder = std::unique_ptr<LrSchedule> (*)(const config::SchedulerConfig&, const ScheduleSpan&);

std::unique_ptr<LrSchedule> make_constant(const config::SchedulerConfig&, const ScheduleSpan&);
std::unique_ptr<LrSchedule> make_step(const config::SchedulerConfig&, const ScheduleSpan&);
std::unique_ptr<LrSchedule> make_multistep(const config::SchedulerConfig&, const ScheduleSpan&);
std::unique_ptr<LrSchedule> make_exponential(const config::SchedulerConfig&, const ScheduleSpan&);
std::unique_ptr<LrSchedule> make_cosine(const config::SchedulerConfig&, const ScheduleSpan&);
std::unique_ptr<LrSchedule> make_cosine_restarts(const config::SchedulerConfig&, const ScheduleSpan&);
std::unique_ptr<LrSchedule> make_polynomial(const config::SchedulerConfig&, const ScheduleSpan&);
std::unique_ptr<LrSchedule> make_one_cycle(const config::SchedulerConfig&, const ScheduleSpan&);
std::unique_ptr<LrSchedule> make_reduce_on_plateau(const config::SchedulerConfig&, const ScheduleSpan&);

}  // namespace dltrain::optim
