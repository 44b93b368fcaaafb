// train.profile_steps: where a training step's time goes. LibTorch's profiler records that many
// steps of the first epoch trained (after a short warm-up), and the run directory gets
// profile.md (each operator's self time per step, largest first) and profile.json. Self time is
// an operator's time minus the operators it called, on the thread that ran the step; intra-op
// worker threads count inside their operator. On CUDA the times are host times (launches).
#pragma once

#include <cstdint>
#include <string>

namespace dltrain::train {

class StepProfiler {
 public:
  // Records `steps` steps after `warmup` unrecorded ones and writes the profile into `run_path`.
  // The default warm-up skips what the first steps alone pay: oneDNN building its kernels and the
  // allocator growing its pools (measured: steps 5-45 of the quickstart ran 1.5x slower than
  // steps 20-60, which match the epoch's steady rate).
  StepProfiler(int64_t steps, std::string run_path, int64_t warmup = 20);
  ~StepProfiler();  // a run that ended while recording still gets the steps it recorded
  StepProfiler(const StepProfiler&) = delete;
  StepProfiler& operator=(const StepProfiler&) = delete;

  void before_step();
  void after_step();
  // Ends recording (the trainer calls it at the first epoch's end) and writes what was recorded.
  void finish();

 private:
  int64_t steps_, warmup_, seen_ = 0, recorded_ = 0;
  std::string run_path_;
  bool recording_ = false, finished_ = false;
  double started_at_ = 0.0;
};

}  // namespace dltrain::train
