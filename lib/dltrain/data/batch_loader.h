// The batch loader: worker threads gather, convert and normalize samples into float batches
// ahead of the trainer (a bounded, ordered prefetch queue). The samples of an epoch come from
// an EpochSampler, a pure function of (seed, epoch), so they do not depend on the number of workers.
#pragma once

#include <torch/types.h>

#include <condition_variable>
#include <cstdint>
#include <map>
#include <mutex>
#include <optional>
#include <thread>
#include <vector>

#include "dltrain/data/epoch_sampler.h"
#include "dltrain/data/image_dataset.h"

namespace dltrain::config {
struct DataConfig;
}

namespace dltrain::data {

struct LoaderOptions {
  int64_t batch_size = 128;
  SamplerOptions sampler;  // which samples each epoch visits and in what order
  bool drop_last = false;
  int64_t workers = 0;   // 0: batches are assembled on the calling thread
  int64_t prefetch = 4;  // batches ready ahead of the consumer
  uint64_t seed = 0;
  std::vector<double> mean;  // per channel; empty: no centring
  std::vector<double> std;   // per channel; empty: no scaling beyond /255
  // Batches in page-locked memory, so that copies to a CUDA device with non_blocking = true run
  // asynchronously beside the next step; needs a CUDA build of LibTorch.
  bool pin_memory = false;
};

// Loader options from the `data` section: training batches follow data.shuffle and
// data.sampler with the run seed; evaluation batches visit every sample once, in dataset order,
// eval_batch_size at a time. pin_memory: the batches go to a CUDA device.
LoaderOptions loader_options_for(const config::DataConfig& data, uint64_t seed, bool training, bool pin_memory = false);

struct Batch {
  torch::Tensor inputs;   // float [B, C, H, W]
  torch::Tensor targets;  // int64 [B]
};

class BatchLoader {
 public:
  BatchLoader(const ImageSet& set, LoaderOptions options);
  ~BatchLoader();
  BatchLoader(const BatchLoader&) = delete;
  BatchLoader& operator=(const BatchLoader&) = delete;

  // Starts an epoch: fixes its sample order and starts the workers. `first_batch` > 0 skips
  // the batches a resumed run already trained on (the order does not change).
  void start_epoch(int64_t epoch, int64_t first_batch = 0);
  // The next batch of the epoch in order, or nullopt at its end.
  std::optional<Batch> next();

  int64_t batches_per_epoch() const;
  int64_t samples_per_epoch() const;
  double seconds_waited() const { return seconds_waited_; }  // this epoch, inside next()

 private:
  Batch assemble(int64_t batch_index) const;
  void fill_sample(int64_t sample, int64_t position, float* dst, std::vector<uint8_t>& scratch) const;
  void worker_loop();
  void stop_workers();

  const ImageSet& set_;
  LoaderOptions options_;
  EpochSampler sampler_;
  std::vector<float> lookup_;  // [channel][pixel value] -> normalized float
  std::vector<int64_t> in_shape_, out_shape_;  // one sample, before and after set.transform
  std::vector<int64_t> order_;
  int64_t epoch_ = 0;
  int64_t next_to_deliver_ = 0;
  double seconds_waited_ = 0.0;

  std::mutex mutex_;
  std::condition_variable batch_ready_, slot_free_;
  std::map<int64_t, Batch> ready_;
  int64_t next_to_assemble_ = 0;
  bool stopping_ = false;
  std::exception_ptr worker_error_;
  std::vector<std::thread> workers_;
};

}  // namespace dltrain::data
