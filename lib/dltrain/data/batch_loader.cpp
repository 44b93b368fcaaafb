// Batches are built with plain loops over a per-channel lookup table, not ATen ops: ATen would
// start an OpenMP team in every loader thread and fight the training thread for the cores.
#include "dltrain/data/batch_loader.h"

#include <torch/torch.h>

#include <algorithm>
#include <chrono>
#include <cstring>

#include "dltrain/config/experiment_config.h"
#include "dltrain/core/error.h"
#include "dltrain/core/parallel.h"
#include "dltrain/data/seeded_shuffle.h"

namespace dltrain::data {
namespace {

constexpr int64_t kSamplesPerShare = 16;  // a share of a batch is worth a fork from about here

}  // namespace

LoaderOptions loader_options_for(const config::DataConfig& data, uint64_t seed, bool training, bool pin_memory) {
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
  options.pin_memory = pin_memory;
  return options;
}

BatchLoader::BatchLoader(const ImageSet& set, LoaderOptions options)
    : set_(set), options_(std::move(options)), sampler_(labels_of(set), options_.sampler, options_.seed) {
  in_shape_ = set_.images.sizes().slice(1).vec();
  out_shape_ = set_.transform ? set_.transform->output_shape(in_shape_) : in_shape_;
  order_ = sampler_.indices(0);
  if (set_.images.scalar_type() != torch::kUInt8) return;  // tables arrive scaled already
  const int64_t channels = out_shape_[0];
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
  epoch_ = epoch;
  next_to_deliver_ = std::min(first_batch, batches_per_epoch());
  next_to_assemble_ = next_to_deliver_;
  seconds_waited_ = 0.0;
  ready_.clear();
  stopping_ = false;
  worker_error_ = nullptr;
  for (int64_t w = 0; w < options_.workers; ++w) workers_.emplace_back([this] { worker_loop(); });
}

// One sample into dst (normalized floats). The augmentation seed is a function of (seed, epoch,
// position in the epoch) only, so batches do not depend on which worker builds them.
void BatchLoader::fill_sample(int64_t sample, int64_t position, float* dst, std::vector<uint8_t>& scratch) const {
  if (set_.images.scalar_type() == torch::kFloat32) {
    const int64_t features = in_shape_[0];
    std::memcpy(dst, set_.images.data_ptr<float>() + sample * features, features * sizeof(float));
    return;
  }
  const int64_t in_size = in_shape_[0] * in_shape_[1] * in_shape_[2];
  const uint8_t* src = set_.images.data_ptr<uint8_t>() + sample * in_size;
  if (set_.transform) {
    scratch.resize(out_shape_[0] * out_shape_[1] * out_shape_[2]);
    const uint64_t seed = mix_seed(mix_seed(mix_seed(options_.seed, 0x617567), static_cast<uint64_t>(epoch_)),
                                   static_cast<uint64_t>(position));
    set_.transform->apply(src, in_shape_, scratch.data(), seed);
    src = scratch.data();
  }
  const int64_t plane = out_shape_[1] * out_shape_[2];
  for (int64_t c = 0; c < out_shape_[0]; ++c) {
    const float* table = lookup_.data() + c * 256;
    for (int64_t p = 0; p < plane; ++p) dst[c * plane + p] = table[src[c * plane + p]];
  }
}

Batch BatchLoader::assemble(int64_t batch_index) const {
  const int64_t begin = batch_index * options_.batch_size;
  const int64_t count = std::min(options_.batch_size, static_cast<int64_t>(order_.size()) - begin);
  std::vector<int64_t> shape = {count};
  shape.insert(shape.end(), out_shape_.begin(), out_shape_.end());
  int64_t sample_size = 1;
  for (auto d : out_shape_) sample_size *= d;
  Batch batch;
  batch.inputs = torch::empty(shape, torch::TensorOptions(torch::kFloat32).pinned_memory(options_.pin_memory));
  batch.targets = torch::empty({count}, torch::TensorOptions(torch::kInt64).pinned_memory(options_.pin_memory));
  const int64_t* labels = set_.labels.data_ptr<int64_t>();
  float* out = batch.inputs.data_ptr<float>();
  int64_t* targets = batch.targets.data_ptr<int64_t>();
  const auto fill = [&](int64_t first, int64_t last) {
    std::vector<uint8_t> scratch;
    for (int64_t i = first; i < last; ++i) {
      const int64_t sample = order_[begin + i];
      targets[i] = labels[sample];
      fill_sample(sample, begin + i, out + i * sample_size, scratch);
    }
  };
  // On the training thread (workers: 0) the intra-op threads share the batch, which is otherwise
  // built while they wait; a loader worker is a thread of its own and builds it alone.
  if (workers_.empty()) {
    parallel_for(0, count, kSamplesPerShare, fill);
  } else {
    fill(0, count);
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
