// Dynamic loss scaling for fp16 mixed precision (what torch.cuda.amp.GradScaler does): scale the
// loss before backward, unscale the gradients and skip the step when they overflowed, grow the
// scale after 2000 clean steps, halve it on overflow. CUDA only: the kernels have no CPU version
// in LibTorch 1.13.
#pragma once

#include <torch/types.h>

#include <vector>

namespace dltrain::train {

class LossScaler {
 public:
  explicit LossScaler(const c10::Device& device, double initial_scale = 65536.0);

  torch::Tensor scale(const torch::Tensor& loss) const { return loss * scale_; }
  // Divides every gradient by the scale; true when any of them is inf or nan.
  bool unscale(const std::vector<torch::Tensor>& grads);
  // Records an overflow found elsewhere (a non-finite loss) for the next update().
  void mark_overflow() { found_inf_.fill_(1.0); }
  // After each optimizer step (taken or skipped): adapts the scale to the last unscale().
  void update();
  double current_scale() const;

 private:
  torch::Tensor scale_, growth_tracker_, found_inf_;
};

}  // namespace dltrain::train
