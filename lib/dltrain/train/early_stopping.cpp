// min_delta is absolute, as in Keras and Lightning: min mode needs value < best - min_delta.
#include "dltrain/train/early_stopping.h"

#include <fmt/format.h>
#include <torch/torch.h>

#include <cmath>

namespace dltrain::train {

EarlyStopping::EarlyStopping(config::EarlyStoppingConfig config) : config_(std::move(config)) {}

bool EarlyStopping::observe(int64_t epoch, double value) {
  last_epoch_ = epoch;
  const bool improved =
      std::isfinite(value) &&
      (best_epoch_ == 0 || (config_.mode == "min" ? value < best_value_ - config_.min_delta
                                                  : value > best_value_ + config_.min_delta));
  if (improved) {
    best_value_ = value;
    best_epoch_ = epoch;
    bad_epochs_ = 0;
  } else {
    ++bad_epochs_;
    if (enabled() && bad_epochs_ >= config_.patience) stopped_ = true;
  }
  return improved;
}

std::string EarlyStopping::reason() const {
  if (!stopped_) return "";
  return fmt::format("{} did not improve by more than {} for {} epochs (best {:.6g} at epoch {})", config_.monitor,
                     config_.min_delta, bad_epochs_, best_value_, best_epoch_);
}

void EarlyStopping::save(torch::serialize::OutputArchive& archive) const {
  archive.write("best_value", c10::IValue(best_value_));
  archive.write("best_epoch", c10::IValue(best_epoch_));
  archive.write("bad_epochs", c10::IValue(bad_epochs_));
  archive.write("last_epoch", c10::IValue(last_epoch_));
  archive.write("stopped", c10::IValue(stopped_));
}

void EarlyStopping::load(torch::serialize::InputArchive& archive) {
  c10::IValue value;
  archive.read("best_value", value);
  best_value_ = value.toDouble();
  archive.read("best_epoch", value);
  best_epoch_ = value.toInt();
  archive.read("bad_epochs", value);
  bad_epochs_ = value.toInt();
  archive.read("last_epoch", value);
  last_epoch_ = value.toInt();
  archive.read("stopped", value);
  stopped_ = value.toBool();
}

}  // namespace dltrain::train
