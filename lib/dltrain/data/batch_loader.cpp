// Batches are built with plain loops over a per-channel lookup table, not ATen ops: ATen would
// start an OpenMP team in every loader thread and fight the training thread for the cores.
#include "dltrain/data/batch_loader.h"

#include <torch/torch.h>

#include <algorithm>
#include <chrono>
#include <cstring>

#include "dltrain/config/experiment_config.h"
#include "dltrain/core/error.h"

namespace dltrain::data {

LoaderOptions loader_options_for(const config::DataConfig& data, uint64_t seed, bool training) {
  LoaderOptions options;
  options.batch_size = training ? data.batch_size : data.eval_batch_size;
  options.sampler.shuffle = training && data.shuffle;
  if (training) {
    options.sampler.type = data.sampler.type;
    options.sampler.target = data.sampler.target;
    options.sampler.cap = data.sampler.cap;
    options.sampler.samples_per_epoch = data.sampler.samples_per_epoch;
  }
  options.drop_last = training && data.drop_last;
  options.workers = data.workers;
  options.prefetch = data.prefetch;
  options.seed = seed;
  options.mean = data.normalize.mean;
  options.std = data.normalize.std;
  return options;
}

BatchLoader::BatchLoader(const ImageSet& set, LoaderOptions options)
    : set_(set), options_(std::move(options)), sampler_(labels_of(set), options_.sampler, options_.seed) {
  const int64_t channels = set_.images.size(1);
  auto per_channel = [&](const std::vector<double>& values, const char* key, double fallback) {
    if (values.empty()) return std::vector<double>(channels, fallback);
    if (values.size() == 1) return std::vector<double>(channels, values[0]);
    if (static_cast<int64_t>(values.size()) != channels) {
      throw ConfigError(std::string("data.normalize.") + key + ": expected 1 or " + std::to_string(channels) +
                        " values (one per image channel), got " + std::to_string(values.size()));
    }
    return values;
  };
  const auto mean = per_channel(options_.mean, "mean", 0.0);
  const auto std = per_channel(options_.std, "std", 1.0);
  lookup_.resize(channels * 256);
  for (int64_t c = 0; c < channels; ++c) {
    for (int v = 0; v < 256; ++v) lookup_[c * 256 + v] = static_cast<float>((v / 255.0 - mean[c]) / std[c]);
  }
  order_ = sampler_.indices(0);
}

BatchLoader::~BatchLoader() { stop_workers(); }

int64_t BatchLoader::batches_per_epoch() const {
  const int64_t n = sampler_.size(), b = options_.batch_size;
  return options_.drop_last ? n / b : (n + b - 1) / b;
}

int64_t BatchLoader::samples_per_epoch() const {
  return options_.drop_last ? batches_per_epoch() * options_.batch_size : sampler_.size();
}

void BatchLoader::start_epoch(int64_t epoch, int64_t first_batch) {
  stop_workers();
  order_ = sampler_.indices(epoch);
  next_to_deliver_ = std::min(first_batch, batches_per_epoch());
  next_to_assemble_ = next_to_deliver_;
  seconds_waited_ = 0.0;
  ready_.clear();
  stopping_ = false;
  worker_error_ = nullptr;
  for (int64_t w = 0; w < options_.workers; ++w) workers_.emplace_back([this] { worker_loop(); });
}

Batch BatchLoader::assemble(int64_t batch_index) const {
  const int64_t begin = batch_index * options_.batch_size;
  const int64_t count = std::min(options_.batch_size, static_cast<int64_t>(order_.size()) - begin);
  const int64_t channels = set_.images.size(1);
  const int64_t plane = set_.images.size(2) * set_.images.size(3);
  Batch batch;
  batch.inputs = torch::empty({count, channels, set_.images.size(2), set_.images.size(3)}, torch::kFloat32);
  batch.targets = torch::empty({count}, torch::kInt64);
  const uint8_t* pixels = set_.images.data_ptr<uint8_t>();
  const int64_t* labels = set_.labels.data_ptr<int64_t>();
  float* out = batch.inputs.data_ptr<float>();
  int64_t* targets = batch.targets.data_ptr<int64_t>();
  for (int64_t i = 0; i < count; ++i) {
    const int64_t sample = order_[begin + i];
    targets[i] = labels[sample];
    const uint8_t* src = pixels + sample * channels * plane;
    float* dst = out + i * channels * plane;
    for (int64_t c = 0; c < channels; ++c) {
      const float* table = lookup_.data() + c * 256;
      for (int64_t p = 0; p < plane; ++p) dst[c * plane + p] = table[src[c * plane + p]];
    }
  }
  return batch;
}

void BatchLoader::worker_loop() {
  const int64_t total = batches_per_epoch();
  while (true) {
    int64_t index;
    {
      std::unique_lock<std::mutex> lock(mutex_);
      slot_free_.wait(lock, [&] { return stopping_ || next_to_assemble_ < next_to_deliver_ + options_.prefetch; });
      if (stopping_ || next_to_assemble_ >= total) return;
      index = next_to_assemble_++;
    }
    try {
      Batch batch = assemble(index);
      std::lock_guard<std::mutex> lock(mutex_);
      ready_.emplace(index, std::move(batch));
    } catch (...) {
      std::lock_guard<std::mutex> lock(mutex_);
      worker_error_ = std::current_exception();
      stopping_ = true;
    }
    batch_ready_.notify_all();
  }
}

std::optional<Batch> BatchLoader::next() {
  if (next_to_deliver_ >= batches_per_epoch()) return std::nullopt;
  if (workers_.empty()) return assemble(next_to_deliver_++);
  const auto start = std::chrono::steady_clock::now();
  std::unique_lock<std::mutex> lock(mutex_);
  batch_ready_.wait(lock, [&] { return worker_error_ || ready_.count(next_to_deliver_) > 0; });
  seconds_waited_ += std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  if (worker_error_) std::rethrow_exception(worker_error_);
  auto node = ready_.extract(next_to_deliver_++);
  lock.unlock();
  slot_free_.notify_all();
  return std::move(node.mapped());
}

void BatchLoader::stop_workers() {
  {
    std::lock_guard<std::mutex> lock(mutex_);
    stopping_ = true;
  }
  slot_free_.notify_all();
  for (auto& worker : workers_) worker.join();
  workers_.clear();
}

}  // namespace dltrain::data
