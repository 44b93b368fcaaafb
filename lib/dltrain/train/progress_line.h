// Training progress: on a terminal one line redrawn in place (epoch, batch, loss, accuracy,
// samples/s, ETA); off the terminal (CI, pipes) one plain log line every log_every steps;
// with --quiet nothing (the console logger then passes errors only).
#pragma once

#include <chrono>
#include <cstdint>

namespace dltrain::train {

class ProgressLine {
 public:
  ProgressLine(int64_t epochs, int64_t batches_per_epoch, int64_t log_every);
  // `first_batch` > 0 when a resumed epoch starts part-way.
  void start_epoch(int64_t epoch, int64_t first_batch = 0);
  void update(int64_t batch, double mean_loss, double accuracy, int64_t samples_seen);
  void finish_epoch();  // clears the line so the epoch's log line stands alone

 private:
  bool live_;
  int64_t epochs_, batches_, log_every_, epoch_ = 0, first_batch_ = 0;
  std::chrono::steady_clock::time_point epoch_start_, last_draw_;
};

}  // namespace dltrain::train
