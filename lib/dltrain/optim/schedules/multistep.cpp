// scheduler.type: multistep — lr * gamma at each milestone epoch (torch MultiStepLR).
#include <cmath>

#include "dltrain/optim/lr_schedule.h"

namespace dltrain::optim {
namespace {

class MultiStep final : public LrSchedule {
 public:
  MultiStep(const config::SchedulerConfig& c, const ScheduleSpan& span) : c_(c), span_(span) {}
  double lr(std::size_t, double base, int64_t step) const override {
    const int64_t epoch = step / span_.steps_per_epoch;
    int passed = 0;
    for (int64_t milestone : c_.milestones) passed += milestone <= epoch ? 1 : 0;
    return base * std::pow(c_.gamma, passed);
  }

 private:
  config::SchedulerConfig c_;
  ScheduleSpan span_;
};

}  // namespace

std::unique_ptr<LrSchedule> make_multistep(const config::SchedulerConfig& c, const ScheduleSpan& span) {
  return std::make_unique<MultiStep>(c, span);
}

}  // namespace dltrain::optim
