// A c10d process group: rendezvous through a TCPStore served by rank 0, then Gloo (CPU) or NCCL
// (CUDA) collectives. Every failure -- a peer that died, a timeout, a port in use -- surfaces as
// one DistributedError line that names this rank; the group is unusable afterwards.
#pragma once

#include <c10/core/Device.h>
#include <torch/types.h>

#include <chrono>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "dltrain/dist/world.h"

namespace dltrain::dist {

struct GroupOptions {
  std::string backend = "gloo";  // gloo | nccl (resolve "auto" with backend_for first)
  std::chrono::milliseconds timeout{300'000};
  c10::Device device{c10::kCPU};  // where collectives' own small tensors live (NCCL: this rank's GPU)
};

// "auto" -> nccl on CUDA devices when the build has NCCL, gloo otherwise; others unchanged.
std::string backend_for(const std::string& configured, bool cuda_device);

class ProcessGroup {
 public:
  ProcessGroup(const World& world, const GroupOptions& options);
  ~ProcessGroup();
  ProcessGroup(const ProcessGroup&) = delete;
  ProcessGroup& operator=(const ProcessGroup&) = delete;

  const World& world() const { return world_; }
  int rank() const { return world_.rank; }
  int size() const { return world_.size; }
  bool is_main() const { return world_.rank == 0; }
  const std::string& backend() const { return backend_; }
  const c10::Device& device() const { return device_; }

  // In place: each tensor becomes the element-wise sum over ranks. The tensors' collectives are
  // all launched before the first is waited for, so they overlap.
  void allreduce_sum(std::vector<torch::Tensor>& tensors);
  // In place: each tensor becomes root's (all launched before the first is waited for).
  void broadcast(std::vector<torch::Tensor>& tensors, int root = 0);
  void barrier();
  // Whether `local` holds on any rank.
  bool any(bool local);
  // Root's `value` on every rank (exchanged through the store), e.g. the run directory's path.
  std::string share_text(const std::string& key, const std::string& value);

 private:
  // Runs a collective, turning c10d's exceptions into DistributedError with `what`.
  void guarded(const char* what, const std::function<void()>& collective);

  struct Impl;
  World world_;
  std::string backend_;
  c10::Device device_;
  std::unique_ptr<Impl> impl_;
};

}  // namespace dltrain::dist
