// What a resume checkpoint holds besides weights and optimizer: where the run stands
// (epoch, step within it, the partial epoch's totals, the best epoch so far), the global
// random generator, and the best weights kept for early stopping's restore_best.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "dltrain/io/resumable_state.h"

namespace at {
class Tensor;
}
namespace torch::nn {
class Module;
}

namespace dltrain::train {

struct TrainingPosition : io::ResumableState {
  int64_t epochs_done = 0;     // completed epochs = rows in the metrics files
  int64_t steps_in_epoch = 0;  // batches of epoch epochs_done + 1 already applied (interrupted mid-epoch)
  int64_t global_step = 0;     // optimizer steps since the start
  double loss_sum = 0.0;       // the partial epoch's totals, so its metrics come out exact
  int64_t correct = 0, samples = 0;
  int64_t best_epoch = 0;      // best by train.checkpoint.monitor; 0 = none yet
  double best_value = 0.0;
  std::string best_metrics_json = "{}";
  std::string stop_reason;     // set once the run has finished

  void save(torch::serialize::OutputArchive& archive) const override;
  void load(torch::serialize::InputArchive& archive) override;
};

// LibTorch's global CPU generator (initialization, dropout). The loader's order is a pure
// function of (seed, epoch) and needs no state.
struct GeneratorState : io::ResumableState {
  void save(torch::serialize::OutputArchive& archive) const override;
  void load(torch::serialize::InputArchive& archive) override;
};

// A copy of a model's parameters and buffers, in registration order.
class WeightSnapshot : public io::ResumableState {
 public:
  void take(torch::nn::Module& model);
  void restore_into(torch::nn::Module& model) const;  // throws InternalError when empty
  bool empty() const { return tensors_.empty(); }

  void save(torch::serialize::OutputArchive& archive) const override;
  void load(torch::serialize::InputArchive& archive) override;

 private:
  std::vector<at::Tensor> tensors_;
};

}  // namespace dltrain::train
