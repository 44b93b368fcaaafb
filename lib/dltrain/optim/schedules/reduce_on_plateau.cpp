// scheduler.type: reduce_on_plateau — lr * factor when the monitored metric has not improved
// (relative threshold) for `patience` epochs, then `cooldown` quiet epochs; never below min_lr.
// The state machine of torch ReduceLROnPlateau (threshold_mode rel, eps 1e-8); its state goes
// into resume checkpoints.
#include <torch/torch.h>

#include <algorithm>
#include <limits>

#include "dltrain/optim/lr_schedule.h"

namespace dltrain::optim {
namespace {

class ReduceOnPlateau final : public LrSchedule {
 public:
  explicit ReduceOnPlateau(const config::SchedulerConfig& c)
      : c_(c), best_(c.mode == "min" ? std::numeric_limits<double>::infinity()
                                     : -std::numeric_limits<double>::infinity()) {}

  double lr(std::size_t group, double base, int64_t) const override {
    return group < lrs_.size() ? lrs_[group] : base;
  }
  bool wants_metric() const override { return true; }

  void epoch_end(double metric, const std::vector<double>& lrs) override {
    if (lrs_.empty()) lrs_ = lrs;
    if (improves(metric)) {
      best_ = metric;
      bad_epochs_ = 0;
    } else {
      ++bad_epochs_;
    }
    if (cooldown_left_ > 0) {
      --cooldown_left_;
      bad_epochs_ = 0;
    }
    if (bad_epochs_ > c_.patience) {
      for (double& lr : lrs_) {
        const double reduced = std::max(lr * c_.factor, c_.min_lr);
        if (lr - reduced > 1e-8) lr = reduced;
      }
      cooldown_left_ = c_.cooldown;
      bad_epochs_ = 0;
    }
  }

  void save(torch::serialize::OutputArchive& archive) const override {
    archive.write("best", c10::IValue(best_));
    archive.write("bad_epochs", c10::IValue(bad_epochs_));
    archive.write("cooldown_left", c10::IValue(cooldown_left_));
    archive.write("lrs", torch::tensor(lrs_, torch::kFloat64));
  }
  void load(torch::serialize::InputArchive& archive) override {
    c10::IValue value;
    archive.read("best", value);
    best_ = value.toDouble();
    archive.read("bad_epochs", value);
    bad_epochs_ = value.toInt();
    archive.read("cooldown_left", value);
    cooldown_left_ = value.toInt();
    torch::Tensor lrs;
    archive.read("lrs", lrs);
    lrs_.assign(lrs.data_ptr<double>(), lrs.data_ptr<double>() + lrs.numel());
  }

 private:
  bool improves(double metric) const {
    return c_.mode == "min" ? metric < best_ * (1.0 - c_.threshold) : metric > best_ * (1.0 + c_.threshold);
  }

  config::SchedulerConfig c_;
  double best_;
  int64_t bad_epochs_ = 0, cooldown_left_ = 0;
  std::vector<double> lrs_;  // per group; empty until the first epoch end
};

}  // namespace

std::unique_ptr<LrSchedule> make_reduce_on_plateau(const config::SchedulerConfig& c, const ScheduleSpan&) {
  return std::make_unique<ReduceOnPlateau>(c);
}

}  // namespace dltrain::optim
