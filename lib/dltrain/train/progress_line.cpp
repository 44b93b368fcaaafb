// Redraws at most ten times a second: a terminal write per batch would cost real time.
#include "dltrain/train/progress_line.h"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <cstdio>
#include <string>

#include "dltrain/core/logging.h"

namespace dltrain::train {

ProgressLine::ProgressLine(int64_t epochs, int64_t batches_per_epoch, int64_t log_every)
    : live_(logging::stderr_is_terminal() && !logging::console_is_quiet()),
      epochs_(epochs),
      batches_(batches_per_epoch),
      log_every_(std::max<int64_t>(log_every, 1)) {}

void ProgressLine::start_epoch(int64_t epoch, int64_t first_batch) {
  epoch_ = epoch;
  first_batch_ = first_batch;
  epoch_start_ = last_draw_ = std::chrono::steady_clock::now();
}

void ProgressLine::update(int64_t batch, double mean_loss, double accuracy, int64_t samples_seen) {
  const bool plain_due = !live_ && batch % log_every_ == 0;
  if (!live_ && !plain_due) return;
  const auto now = std::chrono::steady_clock::now();
  if (live_ && batch < batches_ && now - last_draw_ < std::chrono::milliseconds(100)) return;
  last_draw_ = now;
  const double elapsed = std::chrono::duration<double>(now - epoch_start_).count();
  const double rate = elapsed > 0 ? samples_seen / elapsed : 0.0;
  const int64_t done_here = batch - first_batch_;
  const double eta = done_here > 0 ? elapsed * (batches_ - batch) / done_here : 0.0;
  if (!live_) {
    spdlog::info("epoch {}/{} step {}/{}: loss {:.4f} acc {:.4f}, {:.0f} samples/s, epoch ETA {:.0f}s", epoch_,
                 epochs_, batch, batches_, mean_loss, accuracy, rate, eta);
    return;
  }
  const int width = 24;
  const int filled = static_cast<int>(width * batch / std::max<int64_t>(batches_, 1));
  std::string bar = std::string(filled, '=') + std::string(width - filled, ' ');
  std::fprintf(stderr, "\r\033[2Kepoch %lld/%lld [%s] %lld/%lld loss %.4f acc %.4f %.0f samples/s ETA %ds",
               static_cast<long long>(epoch_), static_cast<long long>(epochs_), bar.c_str(),
               static_cast<long long>(batch), static_cast<long long>(batches_), mean_loss, accuracy, rate,
               static_cast<int>(eta));
  std::fflush(stderr);
}

void ProgressLine::finish_epoch() {
  if (!live_) return;
  std::fprintf(stderr, "\r\033[2K");
  std::fflush(stderr);
}

}  // namespace dltrain::train
