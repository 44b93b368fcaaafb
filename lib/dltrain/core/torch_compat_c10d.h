// The c10d part of the LibTorch version shim (see torch_compat.h), kept apart so that only the
// dist module pays for the c10d headers. 2.0 moved Gloo and NCCL from c10d::ProcessGroup to
// c10d::Backend; both trees have the same collectives, so dltrain holds the backend object.
#pragma once

#include <torch/csrc/distributed/c10d/ProcessGroupGloo.hpp>
#include <torch/version.h>

#include <cstdlib>
#ifdef USE_C10D_NCCL
#include <torch/csrc/distributed/c10d/ProcessGroupNCCL.hpp>
#endif

namespace dltrain::compat {

#if TORCH_VERSION_MAJOR >= 2
using CommBackend = c10d::Backend;
#else
using CommBackend = c10d::ProcessGroup;
#endif
using Comm = c10::intrusive_ptr<CommBackend>;

// NCCL on 1.13 ignores its timeout and hangs on a dead peer unless asynchronous error handling
// is switched on by this variable; 2.x reads TORCH_NCCL_ASYNC_ERROR_HANDLING and defaults to on.
inline void enable_nccl_error_handling() {
#if TORCH_VERSION_MAJOR < 2
  setenv("NCCL_ASYNC_ERROR_HANDLING", "1", /*overwrite=*/0);
#endif
}

}  // namespace dltrain::compat
