// In-memory image classification data: uint8 pixels [N, C, H, W] and int64 labels [N],
// split into train / val / test as the config asks.
#pragma once

#include <torch/types.h>

#include <cstdint>
#include <string>
#include <vector>

namespace dltrain::config {
struct DataConfig;
}

namespace dltrain::data {

struct ImageSet {
  torch::Tensor images;  // uint8 [N, C, H, W], contiguous
  torch::Tensor labels;  // int64 [N]
  int64_t size() const { return labels.defined() ? labels.size(0) : 0; }
};

struct DatasetSplits {
  ImageSet train, val, test;       // val and test may be empty
  std::vector<int64_t> input_shape;  // [C, H, W]
  int64_t num_classes = 0;
  std::vector<std::string> class_names;
};

// Reads the configured splits, applies the seeded stratified subset, the validation split and
// the long-tailed training subset (data.subset.imbalance_ratio / class_fractions).
// Throws DataError for unreadable or inconsistent files.
DatasetSplits load_dataset(const config::DataConfig& config, uint64_t seed);

// The labels of `set` as a vector (for counting and sampling).
std::vector<int64_t> labels_of(const ImageSet& set);

// The samples of `set` at `indices` (kept in that order).
ImageSet select(const ImageSet& set, const std::vector<int64_t>& indices);

}  // namespace dltrain::data
