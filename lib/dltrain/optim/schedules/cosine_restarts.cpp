// scheduler.type: cosine_restarts — SGDR: cosine cycles of restart_epochs, each restart_mult
// times longer than the last (torch CosineAnnealingWarmRestarts stepped per batch).
#include <cmath>

#include "dltrain/optim/lr_schedule.h"

namespace dltrain::optim {
namespace {

class CosineRestarts final : public LrSchedule {
 public:
  CosineRestarts(const config::SchedulerConfig& c, const ScheduleSpan& span)
      : min_lr_(c.min_lr), first_cycle_(c.restart_epochs * span.steps_per_epoch), mult_(c.restart_mult) {}
  double lr(std::size_t, double base, int64_t step) const override {
    int64_t in_cycle = step, cycle = first_cycle_;
    while (in_cycle >= cycle) {
      in_cycle -= cycle;
      cycle *= mult_;
    }
    const double progress = static_cast<double>(in_cycle) / static_cast<double>(cycle);
    return min_lr_ + (base - min_lr_) * (1.0 + std::cos(M_PI * progress)) / 2.0;
  }

 private:
  double min_lr_;
  int64_t first_cycle_, mult_;
};

}  // namespace

std::unique_ptr<LrSchedule> make_cosine_restarts(const config::SchedulerConfig& c, const ScheduleSpan& span) {
  return std::make_unique<CosineRestarts>(c, span);
}

}  // namespace dltrain::optim
