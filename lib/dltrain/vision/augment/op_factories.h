// Vision-internal: one factory per augment op. A factory reads its options and returns the op
// for training, or for evaluation its deterministic stand-in (nullptr: skipped in evaluation).
#pragma once

#include <memory>

#include "dltrain/core/error.h"
#include "dltrain/vision/augment/augment_op.h"

namespace dltrain::vision {

using OpFactory = std::unique_ptr<AugmentOp> (*)(OpOptions& options, bool training);

std::unique_ptr<AugmentOp> make_resize(OpOptions& options, bool training);
std::unique_ptr<AugmentOp> make_center_crop(OpOptions& options, bool training);
std::unique_ptr<AugmentOp> make_random_crop(OpOptions& options, bool training);
std::unique_ptr<AugmentOp> make_random_resized_crop(OpOptions& options, bool training);
std::unique_ptr<AugmentOp> make_hflip(OpOptions& options, bool training);
std::unique_ptr<AugmentOp> make_vflip(OpOptions& options, bool training);
std::unique_ptr<AugmentOp> make_rotate(OpOptions& options, bool training);
std::unique_ptr<AugmentOp> make_affine(OpOptions& options, bool training);
std::unique_ptr<AugmentOp> make_perspective(OpOptions& options, bool training);
std::unique_ptr<AugmentOp> make_color_jitter(OpOptions& options, bool training);
std::unique_ptr<AugmentOp> make_grayscale(OpOptions& options, bool training);
std::unique_ptr<AugmentOp> make_gaussian_blur(OpOptions& options, bool training);
std::unique_ptr<AugmentOp> make_gaussian_noise(OpOptions& options, bool training);
std::unique_ptr<AugmentOp> make_random_erasing(OpOptions& options, bool training);
std::unique_ptr<AugmentOp> make_trivialaugment(OpOptions& options, bool training);
std::unique_ptr<AugmentOp> make_randaugment(OpOptions& options, bool training);

}  // namespace dltrain::vision
