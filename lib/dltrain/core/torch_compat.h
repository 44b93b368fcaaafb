// The single place that looks at the LibTorch version (Debian 1.13 here, upstream 2.x with CUDA).
// Everything version-specific goes behind a function here.
#pragma once

#include <torch/optim/optimizer.h>
#include <torch/version.h>

#define DL_TORCH_AT_LEAST(maj, min) \
  (TORCH_VERSION_MAJOR > (maj) || (TORCH_VERSION_MAJOR == (maj) && TORCH_VERSION_MINOR >= (min)))

namespace dltrain::compat {

// 1.13's zero_grad() fills zeros, 2.x's default sets grads to undefined. dltrain always drops
// them (cheaper, same as upstream's default); code that reads .grad() must accept undefined.
inline void clear_grads(torch::optim::Optimizer& optimizer) {
  for (auto& group : optimizer.param_groups()) {
    for (auto& param : group.params()) {
      if (param.grad().defined()) {
        param.mutable_grad().reset();
      }
    }
  }
}

}  // namespace dltrain::compat
