// scheduler.type: one_cycle — cosine rise from lr/div_factor to lr over pct_start of the steps,
// then cosine fall to lr/(div_factor*final_div_factor) (torch OneCycleLR, two phases, no
// momentum cycling).
#include <cmath>

#include "dltrain/optim/lr_schedule.h"

namespace dltrain::optim {
namespace {

double cosine_anneal(double start, double end, double pct) { return end + (start - end) / 2.0 * (std::cos(M_PI * pct) + 1.0); }

class OneCycle final : public LrSchedule {
 public:
  OneCycle(const config::SchedulerConfig& c, const ScheduleSpan& span)
      : c_(c), rise_end_(c.pct_start * static_cast<double>(span.total_steps) - 1.0),
        fall_end_(static_cast<double>(span.total_steps) - 1.0) {}
  double lr(std::size_t, double base, int64_t step) const override {
    const double initial = base / c_.div_factor;
    const double final_lr = initial / c_.final_div_factor;
    const double s = static_cast<double>(step);
    if (s <= rise_end_) return rise_end_ > 0 ? cosine_anneal(initial, base, s / rise_end_) : base;
    const double length = fall_end_ - rise_end_;
    return length > 0 ? cosine_anneal(base, final_lr, (s - rise_end_) / length) : final_lr;
  }

 private:
  config::SchedulerConfig c_;
  double rise_end_, fall_end_;  // torch's phase end steps (float, as in OneCycleLR)
};

}  // namespace

std::unique_ptr<LrSchedule> make_one_cycle(const config::SchedulerConfig& c, const ScheduleSpan& span) {
  return std::make_unique<OneCycle>(c, span);
}

}  // namespace dltrain::optim
