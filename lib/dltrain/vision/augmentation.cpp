// The op registry and the pipeline that runs the ops on a cv::Mat per sample.
#include "dltrain/vision/augmentation.h"

#include <fmt/format.h>

#include "dltrain/config/experiment_config.h"
#include "dltrain/core/error.h"
#include "dltrain/vision/augment/op_factories.h"
#include "dltrain/vision/mat_layout.h"

namespace dltrain::vision {
namespace {

// data.augment op name -> factory; a new op is one factory plus one line here.
struct OpEntry {
  const char* name;
  OpFactory make;
  bool changes_size;  // such ops must run on every sample (p = 1)
};
constexpr OpEntry kOps[] = {
    {"resize", make_resize, true},
    {"center_crop", make_center_crop, true},
    {"random_crop", make_random_crop, true},
    {"random_resized_crop", make_random_resized_crop, true},
    {"hflip", make_hflip, false},
    {"vflip", make_vflip, false},
    {"rotate", make_rotate, false},
    {"affine", make_affine, false},
    {"perspective", make_perspective, false},
    {"color_jitter", make_color_jitter, false},
    {"grayscale", make_grayscale, false},
    {"gaussian_blur", make_gaussian_blur, false},
    {"gaussian_noise", make_gaussian_noise, false},
    {"random_erasing", make_random_erasing, false},
    {"trivialaugment", make_trivialaugment, false},
    {"randaugment", make_randaugment, false},
};

}  // namespace

std::vector<std::string> augment_op_names() {
  std::vector<std::string> names;
  for (const auto& op : kOps) names.push_back(op.name);
  return names;
}

std::shared_ptr<const AugmentPipeline> build_augmentation(const std::vector<config::LayerConfig>& ops, bool training) {
  std::vector<std::unique_ptr<AugmentOp>> built;
  for (size_t i = 0; i < ops.size(); ++i) {
    const std::string path = fmt::format("data.augment[{}]", i);
    const OpEntry* entry = nullptr;
    for (const auto& op : kOps)
      if (ops[i].type == op.name) entry = &op;
    if (!entry) {
      throw ConfigError(fmt::format("{}.op: unknown op \"{}\"; expected one of {}", path, ops[i].type,
                                    fmt::join(augment_op_names(), ", ")));
    }
    OpOptions options(ops[i], path);
    const double p = options.number("p", 1.0, 0.0, 1.0);
    if (entry->changes_size && p != 1.0) options.fail("p", "must be 1 for " + ops[i].type + ", which sets the image size");
    auto op = entry->make(options, training);
    options.done();
    if (!op || p == 0.0) continue;
    op->p = p;
    built.push_back(std::move(op));
  }
  return std::make_shared<AugmentPipeline>(std::move(built));
}

AugmentPipeline::AugmentPipeline(std::vector<std::unique_ptr<AugmentOp>> ops) : ops_(std::move(ops)) {}
AugmentPipeline::~AugmentPipeline() = default;

std::vector<int64_t> AugmentPipeline::output_shape(const std::vector<int64_t>& input) const {
  auto shape = input;
  for (const auto& op : ops_) shape = op->output_shape(shape);
  return shape;
}

void AugmentPipeline::apply(const uint8_t* in, const std::vector<int64_t>& in_shape, uint8_t* out, uint64_t seed) const {
  apply_recorded(in, in_shape, out, seed, nullptr);
}

void AugmentPipeline::apply_recorded(const uint8_t* in, const std::vector<int64_t>& in_shape, uint8_t* out, uint64_t seed,
                                     std::string* record) const {
  cv::Mat image = to_mat(in, in_shape);
  Draw draw(seed, record);
  for (const auto& op : ops_) {
    if (!draw.chance(op->p)) continue;
    draw.begin_op(op->name());
    op->apply(image, draw);
    draw.end_op();
  }
  to_chw(image, out);  // a crop's rows need not be contiguous
}

}  // namespace dltrain::vision
