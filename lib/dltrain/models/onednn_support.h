// What the oneDNN operators (onednn_conv, onednn_matmul) share: the CPU engine, tensors seen as
// oneDNN memory, and a cache of primitives per shape. Included only by their .cpp files, and
// only in a build with oneDNN (DLTRAIN_HAS_ONEDNN).
#pragma once

#include <torch/types.h>

#include <dnnl.hpp>

#include <map>
#include <memory>
#include <mutex>

namespace dltrain::models::onednn {

inline dnnl::engine& cpu_engine() {
  static dnnl::engine engine(dnnl::engine::kind::cpu, 0);
  return engine;
}

inline dnnl::memory wrap(const dnnl::memory::desc& desc, const torch::Tensor& t) {
  return dnnl::memory(desc, cpu_engine(), t.data_ptr());
}

// Primitives built once per Key (a shape): a run meets a handful, one per layer and a short last
// batch. A search over many shapes starts the cache again rather than let it grow.
template <class Key, class Primitives>
std::shared_ptr<const Primitives> primitives_for(const Key& key) {
  static std::mutex mutex;
  static std::map<Key, std::shared_ptr<const Primitives>> cache;
  const std::lock_guard<std::mutex> lock(mutex);
  const auto found = cache.find(key);
  if (found != cache.end()) return found->second;
  if (cache.size() >= 256) cache.clear();
  return cache[key] = std::make_shared<const Primitives>(key);
}

}  // namespace dltrain::models::onednn
