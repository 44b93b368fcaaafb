// data.augment as a pipeline of OpenCV ops, each applied with its probability `p`. Every draw
// comes from a generator seeded per sample, and can be recorded ("rotate(angle=12.5)").
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "dltrain/data/sample_transform.h"

namespace dltrain::vision {

class AugmentOp;

class AugmentPipeline : public data::SampleTransform {
 public:
  explicit AugmentPipeline(std::vector<std::unique_ptr<AugmentOp>> ops);
  ~AugmentPipeline() override;

  std::vector<int64_t> output_shape(const std::vector<int64_t>& input) const override;
  void apply(const uint8_t* in, const std::vector<int64_t>& in_shape, uint8_t* out, uint64_t seed) const override;
  // The same, appending "op(name=value, ...)" for every op applied to `record` ("; " between ops).
  void apply_recorded(const uint8_t* in, const std::vector<int64_t>& in_shape, uint8_t* out, uint64_t seed,
                      std::string* record) const;

 private:
  std::vector<std::unique_ptr<AugmentOp>> ops_;
};

// training: every op; otherwise only what makes evaluation images the training size (resize,
// center_crop; random_crop -> center crop, random_resized_crop -> resize). Throws ConfigError
// naming data.augment[i].option for an unknown op or a bad option.
std::shared_ptr<const AugmentPipeline> build_augmentation(const std::vector<config::LayerConfig>& ops, bool training);

// The op names build_augmentation knows.
std::vector<std::string> augment_op_names();

}  // namespace dltrain::vision
