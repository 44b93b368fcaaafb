// scheduler.type: exponential — lr * gamma^epoch (torch ExponentialLR stepped per epoch).
#include <cmath>

#include "dltrain/optim/lr_schedule.h"

namespace dltrain::optim {
namespace {

class Exponential final : public LrSchedule {
 public:
  Exponential(const config::SchedulerConfig& c, const ScheduleSpan& span) : gamma_(c.gamma), span_(span) {}
  double lr(std::size_t, double base, int64_t step) const override {
    return base * std::pow(gamma_, static_cast<double>(step / span_.steps_per_epoch));
  }

 private:
  double gamma_;
  ScheduleSpan span_;
};

}  // namespace

std::unique_ptr<LrSchedule> make_exponential(const config::SchedulerConfig& c, const ScheduleSpan& span) {
  return std::make_unique<Exponential>(c, span);
}

}  // namespace dltrain::optim
