// scheduler.type: constant — the base lr throughout (after any warmup).
#include "dltrain/optim/lr_schedule.h"

namespace dltrain::optim {
namespace {

class Constant final : public LrSchedule {
 public:
  double lr(std::size_t, double base, int64_t) const override { return base; }
};

}  // namespace

std::unique_ptr<LrSchedule> make_constant(const config::SchedulerConfig&, const ScheduleSpan&) {
  return std::make_unique<Constant>();
}

}  // namespace dltrain::optim
