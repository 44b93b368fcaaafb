// Exponential moving average of a model's weights (train.ema.decay). Validation, the best
// checkpoint and the final test use the averaged weights; training keeps the live ones.
#pragma once

#include <torch/types.h>

#include <cstdint>
#include <string>
#include <vector>

namespace torch::nn {
class Module;
}
namespace torch::serialize {
class OutputArchive;
class InputArchive;
}  // namespace torch::serialize

namespace dltrain::train {

class WeightEma {
 public:
  // Starts from the model's current weights.
  WeightEma(torch::nn::Module& model, double decay);

  // After each optimizer step: ema = d*ema + (1-d)*w with d = min(decay, (1+n)/(10+n)) after n
  // updates, so early averages are not dominated by the random initialization. Floating-point
  // buffers (BatchNorm statistics) are averaged the same way; integer ones are copied.
  void update(torch::nn::Module& model);
  // Exchanges the model's weights with the averages (call again to exchange them back).
  void swap(torch::nn::Module& model);
  // Overwrites the model's weights with the averages.
  void copy_to(torch::nn::Module& model) const;

  int64_t updates() const { return updates_; }
  double decay_at(int64_t updates) const;

  // Resume state: the averages and the update count.
  void save(torch::serialize::OutputArchive& archive) const;
  void load(torch::serialize::InputArchive& archive);

 private:
  std::vector<torch::Tensor> tensors_of(torch::nn::Module& model) const;

  double decay_;
  int64_t updates_ = 0;
  std::vector<torch::Tensor> shadow_;  // parameters then buffers, in the model's order
};

}  // namespace dltrain::train
