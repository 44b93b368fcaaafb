// The draws follow timm's Mixup: a Beta(alpha, alpha) share per batch, one partner per sample
// from a permutation of the batch, and for cutmix a box of about (1 - share) of the image whose
// clipped area then sets the targets' share, so targets always match the pixels.
#include "dltrain/data/batch_mixing.h"

#include <torch/torch.h>

#include <algorithm>
#include <cmath>
#include <numeric>
#include <random>

#include "dltrain/core/error.h"
#include "dltrain/data/seeded_shuffle.h"

namespace dltrain::data {
namespace {

constexpr uint64_t kMixingStream = 0x6d6978;  // "mix": apart from the sampler's and the augmentations' streams

double uniform01(std::mt19937_64& engine) { return static_cast<double>(engine() >> 11) * 0x1.0p-53; }

// Beta(alpha, alpha) as X / (X + Y) with X, Y ~ Gamma(alpha, 1).
double draw_share(std::mt19937_64& engine, double alpha) {
  std::gamma_distribution<double> gamma(alpha, 1.0);
  const double x = gamma(engine), y = gamma(engine);
  return x + y > 0 ? x / (x + y) : 0.5;
}

struct Box {
  int64_t top, bottom, left, right;
  int64_t area() const { return (bottom - top) * (right - left); }
};

Box draw_box(std::mt19937_64& engine, int64_t height, int64_t width, double share) {
  const double side = std::sqrt(1.0 - share);
  const auto half_h = static_cast<int64_t>(height * side) / 2, half_w = static_cast<int64_t>(width * side) / 2;
  const auto y = static_cast<int64_t>(uniform_below(engine, static_cast<uint64_t>(height)));
  const auto x = static_cast<int64_t>(uniform_below(engine, static_cast<uint64_t>(width)));
  return {std::clamp<int64_t>(y - half_h, 0, height), std::clamp<int64_t>(y + half_h, 0, height),
          std::clamp<int64_t>(x - half_w, 0, width), std::clamp<int64_t>(x + half_w, 0, width)};
}

}  // namespace

BatchMixer::BatchMixer(const config::BatchAugmentConfig& config, int64_t num_classes,
                       const std::vector<int64_t>& sample_shape, uint64_t seed)
    : config_(config), num_classes_(num_classes), seed_(seed) {
  if (config.cutmix > 0 && sample_shape.size() != 3) {
    throw ConfigError("data.batch_augment.cutmix: pastes image boxes, but this data has feature rows of " +
                      std::to_string(sample_shape.empty() ? 0 : sample_shape[0]) + " values; use mixup");
  }
}

MixedBatch BatchMixer::mix(const torch::Tensor& inputs, const torch::Tensor& labels, int64_t epoch, int64_t batch) const {
  MixedBatch out{inputs, labels, labels, "", 1.0};
  const int64_t n = inputs.size(0);
  if (!enabled() || n < 2) return out;
  std::mt19937_64 engine(mix_seed(mix_seed(mix_seed(seed_, kMixingStream), static_cast<uint64_t>(epoch)),
                                  static_cast<uint64_t>(batch)));
  if (uniform01(engine) >= config_.p) return out;
  const bool cutmix = config_.cutmix > 0 && (config_.mixup == 0 || uniform01(engine) < 0.5);
  double share = draw_share(engine, cutmix ? config_.cutmix : config_.mixup);
  std::vector<int64_t> order(static_cast<size_t>(n));
  std::iota(order.begin(), order.end(), 0);
  shuffle_with(order, engine);
  const auto partners = torch::tensor(order, torch::kLong).to(inputs.device());
  const auto partner_inputs = inputs.index_select(0, partners);

  if (cutmix) {
    using torch::indexing::Slice;
    const int64_t height = inputs.size(2), width = inputs.size(3);
    const Box box = draw_box(engine, height, width, share);
    const std::vector<torch::indexing::TensorIndex> region = {Slice(), Slice(), Slice(box.top, box.bottom),
                                                              Slice(box.left, box.right)};
    out.inputs = inputs.clone();
    out.inputs.index_put_(region, partner_inputs.index(region));
    share = 1.0 - static_cast<double>(box.area()) / static_cast<double>(height * width);
  } else {
    out.inputs = inputs * share + partner_inputs * (1.0 - share);
  }
  const auto partner_labels = labels.index_select(0, partners);
  out.targets = torch::one_hot(labels, num_classes_).to(torch::kFloat) * share +
                torch::one_hot(partner_labels, num_classes_).to(torch::kFloat) * (1.0 - share);
  out.labels = share >= 0.5 ? labels : partner_labels;
  out.op = cutmix ? "cutmix" : "mixup";
  out.share = share;
  return out;
}

}  // namespace dltrain::data
