// The interface through which any stateful piece of a run (early stopping, the training
// position, RNGs, and issue 4's scheduler and EMA) travels in a resume checkpoint: each is
// stored in its own named slot, so adding one touches neither the checkpoint format nor the trainer.
#pragma once

#include <string>
#include <vector>

namespace torch::serialize {
class OutputArchive;
class InputArchive;
}  // namespace torch::serialize

namespace dltrain::io {

struct ResumableState {
  virtual ~ResumableState() = default;
  virtual void save(torch::serialize::OutputArchive& archive) const = 0;
  virtual void load(torch::serialize::InputArchive& archive) = 0;
};

// A state object and the slot name it is stored under ("early_stopping", "scheduler", "ema").
struct NamedState {
  std::string name;
  ResumableState* state;
};

using NamedStates = std::vector<NamedState>;

// Adapts any object with `save(OutputArchive&) const` and `load(InputArchive&)` (a scheduler,
// an EMA) without it deriving from ResumableState; must outlive the checkpoint calls:
//   io::ResumableRef<optim::Scheduler> slot(*scheduler); run.extra_states.push_back({"scheduler", &slot});
template <class T>
class ResumableRef : public ResumableState {
 public:
  explicit ResumableRef(T& object) : object_(object) {}
  void save(torch::serialize::OutputArchive& archive) const override { object_.save(archive); }
  void load(torch::serialize::InputArchive& archive) override { object_.load(archive); }

 private:
  T& object_;
};

}  // namespace dltrain::io
