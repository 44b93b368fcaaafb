// Training progress on the terminal: one line redrawn in place (epoch, batch, loss, accuracy,
// samples/s, ETA). Off the terminal (CI, pipes) or with --quiet it prints nothing.
#pragma once

#include <chrono>
#include <cstdint>

namespace dltrain::train {

class ProgressLine {
 public:
  ProgressLine(int64_t epochs, int64_t batches_per_epoch);
  void start_epoch(int64_t epoch);
  void update(int64_t batch, double mean_loss, double accuracy, int64_t samples_seen);
  void finish_epoch();  // clears the line so the epoch's log line stands alone

 private:
  bool enabled_;
  int64_t epochs_, batches_, epoch_ = 0;
  std::chrono::steady_clock::time_point epoch_start_, last_draw_;
};

}  // namespace dltrain::train
