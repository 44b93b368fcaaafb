// scheduler.type: polynomial — base * (1 - step/steps)^power down to 0 at the end of training
// (torch PolynomialLR with total_iters = the steps after warmup, stepped per batch).
#include <algorithm>
#include <cmath>

#include "dltrain/optim/lr_schedule.h"

namespace dltrain::optim {
namespace {

class Polynomial final : public LrSchedule {
 public:
  Polynomial(const config::SchedulerConfig& c, const ScheduleSpan& span) : power_(c.power), span_(span) {}
  double lr(std::size_t, double base, int64_t step) const override {
    const double done = static_cast<double>(std::min(step, span_.total_steps)) / static_cast<double>(span_.total_steps);
    return base * std::pow(1.0 - done, power_);
  }

 private:
  double power_;
  ScheduleSpan span_;
};

}  // namespace

std::unique_ptr<LrSchedule> make_polynomial(const config::SchedulerConfig& c, const ScheduleSpan& span) {
  return std::make_unique<Polynomial>(c, span);
}

}  // namespace dltrain::optim
