// scheduler.type: cosine — half a cosine from the base lr to min_lr over every step after the
// warmup (torch CosineAnnealingLR with T_max = those steps, stepped per batch).
#include <cmath>

#include "dltrain/optim/lr_schedule.h"

namespace dltrain::optim {
namespace {

class Cosine final : public LrSchedule {
 public:
  Cosine(const config::SchedulerConfig& c, const ScheduleSpan& span) : min_lr_(c.min_lr), span_(span) {}
  double lr(std::size_t, double base, int64_t step) const override {
    const double progress = static_cast<double>(step) / static_cast<double>(span_.total_steps);
    return min_lr_ + (base - min_lr_) * (1.0 + std::cos(M_PI * progress)) / 2.0;
  }

 private:
  double min_lr_;
  ScheduleSpan span_;
};

}  // namespace

std::unique_ptr<LrSchedule> make_cosine(const config::SchedulerConfig& c, const ScheduleSpan& span) {
  return std::make_unique<Cosine>(c, span);
}

}  // namespace dltrain::optim
