#include "dltrain/dist/gradient_sync.h"

#include <torch/torch.h>

#include <chrono>

#include "dltrain/dist/process_group.h"

namespace dltrain::dist {
namespace {

void broadcast_all(ProcessGroup& group, std::vector<torch::Tensor> tensors) {
  torch::NoGradGuard no_grad;
  for (auto& tensor : tensors) tensor = tensor.detach();
  group.broadcast(tensors, 0);
}

// Consecutive tensors of one dtype and device, up to `bytes` each (a larger tensor is alone).
std::vector<std::vector<torch::Tensor>> buckets_of(const std::vector<torch::Tensor>& params, int64_t bytes) {
  std::vector<std::vector<torch::Tensor>> buckets;
  int64_t filled = 0;
  for (const auto& param : params) {
    const int64_t size = param.numel() * static_cast<int64_t>(param.element_size());
    const bool fits = !buckets.empty() && filled + size <= bytes &&
                      buckets.back().front().scalar_type() == param.scalar_type() &&
                      buckets.back().front().device() == param.device();
    if (!fits) {
      buckets.emplace_back();
      filled = 0;
    }
    buckets.back().push_back(param);
    filled += size;
  }
  return buckets;
}

}  // namespace

void broadcast_parameters(ProcessGroup& group, torch::nn::Module& module) {
  broadcast_all(group, module.parameters());
  broadcast_buffers(group, module);
}

void broadcast_buffers(ProcessGroup& group, torch::nn::Module& module) { broadcast_all(group, module.buffers()); }

GradientSync::GradientSync(ProcessGroup& group, torch::nn::Module& module, double bucket_mb)
    : group_(group), module_(module), bucket_bytes_(static_cast<int64_t>(bucket_mb * 1024 * 1024)) {}

uint32_t GradientSync::average(uint32_t local_flags) {
  const auto start = std::chrono::steady_clock::now();
  torch::NoGradGuard no_grad;
  // Trainable now: layers unfrozen mid-run (train.unfreeze_at_epoch) join on every rank at once.
  std::vector<torch::Tensor> params;
  for (const auto& param : module_.parameters())
    if (param.requires_grad()) params.push_back(param);
  const auto buckets = buckets_of(params, bucket_bytes_);

  std::vector<torch::Tensor> flat;
  flat.reserve(buckets.size() + 1);
  for (const auto& bucket : buckets) {
    std::vector<torch::Tensor> pieces;
    for (const auto& param : bucket) {
      pieces.push_back(param.grad().defined() ? param.grad().reshape(-1) : torch::zeros({param.numel()}, param.options()));
    }
    flat.push_back(torch::cat(pieces));
  }
  // One float per flag bit: their sums over the ranks say which bits any rank set.
  auto flags = torch::zeros({32});
  float* flag = flags.data_ptr<float>();
  for (int bit = 0; bit < 32; ++bit) flag[bit] = (local_flags >> bit) & 1u ? 1.0f : 0.0f;
  flat.push_back(flags.to(group_.device()));
  group_.allreduce_sum(flat);

  const double world = group_.size();
  for (std::size_t b = 0; b < buckets.size(); ++b) {
    flat[b].div_(world);
    int64_t offset = 0;
    for (const auto& param : buckets[b]) {
      auto mean = flat[b].narrow(0, offset, param.numel()).view_as(param);
      offset += param.numel();
      if (param.grad().defined()) {
        param.mutable_grad().copy_(mean);
      } else {
        param.mutable_grad() = mean.clone();
      }
    }
  }
  const auto sums = flat.back().to(torch::kCPU);
  const float* sum = sums.data_ptr<float>();
  uint32_t merged = 0;
  for (int bit = 0; bit < 32; ++bit)
    if (sum[bit] > 0.0f) merged |= 1u << bit;
  seconds_ += std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  return merged;
}

}  // namespace dltrain::dist
