// optimizer.type: adam with each CPU float32 parameter updated in one pass.
//
// torch::optim::Adam runs eight tensor operations per parameter per step (with their temporary
// tensors): about 0.5 ms for the quickstart CNN's eleven parameter tensors, 6% of its training
// step, nearly all of it dispatch rather than arithmetic. FusedAdam updates a parameter, its
// gradient's moments and the parameter itself in one loop over the four arrays, in parallel for
// large tensors. It is torch::optim::Adam otherwise: the same options, the same per-parameter
// state (so checkpoints are interchangeable), and Adam's own step wherever a parameter or its
// gradient is not a dense CPU float32 tensor, or amsgrad is on. A gradient laid out unlike its
// parameter (a convolution's, for a channels-last weight) is copied into the parameter's order.
#pragma once

#include <torch/optim/adam.h>

namespace dltrain::optim {

class FusedAdam : public torch::optim::Adam {
 public:
  using torch::optim::Adam::Adam;
  torch::Tensor step(LossClosure closure = nullptr) override;
  // Whether the next step takes the one-pass update (otherwise it is Adam::step).
  bool fusable() const;
};

}  // namespace dltrain::optim
