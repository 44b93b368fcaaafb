// scheduler.type: step — lr * gamma every step_size epochs (torch StepLR stepped per epoch).
#include <cmath>

#include "dltrain/optim/lr_schedule.h"

namespace dltrain::optim {
namespace {

class StepDecay final : public LrSchedule {
 public:
  StepDecay(const config::SchedulerConfig& c, const ScheduleSpan& span) : c_(c), span_(span) {}
  double lr(std::size_t, double base, int64_t step) const override {
    const int64_t epoch = step / span_.steps_per_epoch;
    return base * std::pow(c_.gamma, static_cast<double>(epoch / c_.step_size));
  }

 private:
  config::SchedulerConfig c_;
  ScheduleSpan span_;
};

}  // namespace

std::unique_ptr<LrSchedule> make_step(const config::SchedulerConfig& c, const ScheduleSpan& span) {
  return std::make_unique<StepDecay>(c, span);
}

}  // namespace dltrain::optim
