// Dropout whose CPU mask is hashed in parallel instead of drawn serially.
//
// LibTorch's CPU bernoulli_ (built without MKL, as Debian's is) draws every element one at a time
// under the generator's lock: 3.4 ms for the quickstart CNN's 128x1568 activations, about a tenth
// of its training step. This layer hashes (seed, element index) instead — the counter-based idea
// behind CUDA's Philox dropout — so the mask fills in parallel, vectorized, in a few hundredths
// of that. The seed is drawn from LibTorch's default generator, so `seed` makes runs repeatable
// and a resumed run continues the same stream. CUDA and non-float32 inputs use torch::dropout.
#pragma once

#include <torch/nn/cloneable.h>
#include <torch/nn/pimpl.h>

#include <cstdint>
#include <ostream>

namespace dltrain::models {

class DropoutImpl : public torch::nn::Cloneable<DropoutImpl> {
 public:
  explicit DropoutImpl(double p = 0.5);
  torch::Tensor forward(const torch::Tensor& input);
  void reset() override {}
  void pretty_print(std::ostream& stream) const override;

  double p;
};
TORCH_MODULE(Dropout);

// The float32 mask of `sizes` whose elements are 1 / keep with probability `keep`, else 0,
// as a pure function of `seed`: the same seed gives the same mask on any thread count.
torch::Tensor dropout_mask(at::IntArrayRef sizes, double keep, uint64_t seed);

// out = in times dropout_mask({rows, features}, keep, seed), without the mask stored; `out` may
// be `in`. With `channels` > 1 each row holds a [channels, features / channels] sample in
// (features / channels, channels) memory order (a channels-last map), and its elements get the
// mask of the flat (C, H, W) order Flatten reads: the mask a Dropout after a Flatten draws.
void apply_dropout_mask(const float* in, float* out, int64_t rows, int64_t features, int64_t channels, double keep,
                        uint64_t seed);

// The seed of one dropout mask, from LibTorch's default generator (what DropoutImpl::forward
// draws for each mask it makes).
uint64_t draw_dropout_seed();

}  // namespace dltrain::models
