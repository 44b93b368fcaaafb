// In-memory classification data: uint8 pixels [N, C, H, W] (images) or float32 features [N, F]
// (tables) and int64 labels [N], split into train / val / test as the config asks.
#pragma once

#include <torch/types.h>

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "dltrain/data/sample_transform.h"

namespace dltrain::config {
struct DataConfig;
}

namespace dltrain::data {

struct ImageSet {
  torch::Tensor images;  // uint8 [N, C, H, W] or float32 [N, F] (csv, already scaled), contiguous
  torch::Tensor labels;  // int64 [N]
  // Applied by the loader to each image sample (data.augment); null = pixels as stored.
  std::shared_ptr<const SampleTransform> transform;
  int64_t size() const { return labels.defined() ? labels.size(0) : 0; }
};

struct DatasetSplits {
  ImageSet train, val, test;       // val and test may be empty
  std::vector<int64_t> input_shape;  // [C, H, W] after data.augment's resizes and crops, or [F]
  int64_t num_classes = 0;
  std::vector<std::string> class_names;  // labels index these (image_folder: sub-directory names)
  // csv: the feature columns and the scaling fitted on the training split, x' = (x - mean) / std.
  std::vector<std::string> feature_names;
  std::vector<double> feature_mean, feature_std;
  std::vector<double> feature_fill;  // csv: an empty cell's value (the training mean, in the table's units)
  std::vector<std::string> skipped;  // unreadable image files left out (data.skip_corrupt)
};

// Reads the configured splits, applies the seeded stratified subset, the validation split and
// the long-tailed training subset (data.subset.imbalance_ratio / class_fractions), and attaches
// the data.augment pipelines (training: all ops; val/test: the deterministic ones).
// `images` decodes image files and builds augmentations (empty: formats and ops that need them
// are a ConfigError). Throws DataError for unreadable or inconsistent files.
// DataDepth::shapes: only shapes, labels and counts are wanted (dltrain check); formats that can
// (idx) skip the pixel values, which are then zeros.
enum class DataDepth { everything, shapes };
DatasetSplits load_dataset(const config::DataConfig& config, uint64_t seed, const ImageSupport& images = {},
                           DataDepth depth = DataDepth::everything);

// The training split as read (no subset, no validation split), with its class names: what
// `dltrain augment` multiplies.
struct NamedImages {
  ImageSet set;
  std::vector<std::string> class_names;
  std::vector<std::string> sources;  // per sample: its file, or "<locator>#<index>" for container formats
};
NamedImages load_training_source(const config::DataConfig& config, const ImageSupport& images);

// The labels of `set` as a vector (for counting and sampling).
std::vector<int64_t> labels_of(const ImageSet& set);

// The samples of `set` at `indices` (kept in that order).
ImageSet select(const ImageSet& set, const std::vector<int64_t>& indices);

}  // namespace dltrain::data
