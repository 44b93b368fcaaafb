// The single place that looks at the LibTorch version (Debian 1.13 here, upstream 2.x with CUDA).
// Everything version-specific goes behind a function here.
#pragma once

#include <ATen/autocast_mode.h>
#include <torch/optim/optimizer.h>
#include <torch/version.h>

#include <variant>

#define DL_TORCH_AT_LEAST(maj, min) \
  (TORCH_VERSION_MAJOR > (maj) || (TORCH_VERSION_MAJOR == (maj) && TORCH_VERSION_MINOR >= (min)))

namespace dltrain::compat {

// The alternative T of a module-options variant (conv padding, padding_mode), or nullptr: they
// are c10::variant in 1.13 and std::variant in 2.x. Argument-dependent lookup picks the get_if
// of whichever namespace the variant lives in.
template <class T, class Variant>
const T* variant_alternative(const Variant& options_variant) {
  using std::get_if;
  return get_if<T>(&options_variant);
}

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

// The key of a parameter in torch::optim::Optimizer's state map (its TensorImpl): a string made
// from the address in 1.13, the address itself from 2.2 (which also dropped c10::guts::to_string).
inline auto optimizer_state_key(const at::Tensor& param) {
#if DL_TORCH_AT_LEAST(2, 2)
  return static_cast<void*>(param.unsafeGetTensorImpl());
#else
  return c10::guts::to_string(param.unsafeGetTensorImpl());
#endif
}

// Autocast on/off for one device type: 2.4 replaced the per-device functions by ones taking
// the device type (the old names are deprecated there).
inline void set_autocast(c10::DeviceType device, bool on, at::ScalarType dtype) {
#if DL_TORCH_AT_LEAST(2, 4)
  at::autocast::set_autocast_enabled(device, on);
  if (on) at::autocast::set_autocast_dtype(device, dtype);
#else
  if (device == c10::DeviceType::CUDA) {
    at::autocast::set_enabled(on);
    if (on) at::autocast::set_autocast_gpu_dtype(dtype);
  } else {
    at::autocast::set_cpu_enabled(on);
    if (on) at::autocast::set_autocast_cpu_dtype(dtype);
  }
#endif
}

// Autocast for the lifetime of the scope (Python's `with torch.autocast(...)`), one level deep.
class AutocastScope {
 public:
  AutocastScope(c10::DeviceType device, at::ScalarType dtype) : device_(device) {
    set_autocast(device_, true, dtype);
    at::autocast::increment_nesting();
  }
  ~AutocastScope() {
    if (at::autocast::decrement_nesting() == 0) at::autocast::clear_cache();
    set_autocast(device_, false, at::kFloat);
  }
  AutocastScope(const AutocastScope&) = delete;
  AutocastScope& operator=(const AutocastScope&) = delete;

 private:
  c10::DeviceType device_;
};

}  // namespace dltrain::compat
