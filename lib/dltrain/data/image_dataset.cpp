// Builds the train / val / test ImageSets from the configured format.
#include "dltrain/data/image_dataset.h"

#include <torch/torch.h>

#include <algorithm>

#include "dltrain/config/experiment_config.h"
#include "dltrain/core/error.h"
#include "dltrain/data/class_balance.h"
#include "dltrain/data/class_selection.h"
#include "dltrain/data/idx_reader.h"
#include "dltrain/data/seeded_shuffle.h"
#include "dltrain/data/stratified_split.h"

namespace dltrain::data {
namespace {

ImageSet to_image_set(LabeledImages&& raw) {
  ImageSet set;
  auto pixels = torch::from_blob(raw.pixels.data(), {raw.count, 1, raw.rows, raw.cols}, torch::kUInt8);
  set.images = pixels.clone();
  set.labels = torch::tensor(raw.labels, torch::kInt64);
  return set;
}

ImageSet read_split(const config::DataConfig& config, const std::string& locator, const std::string& key) {
  if (config.format != "idx") {
    throw ConfigError("data.format: \"" + config.format + "\" is not supported by this build; expected idx");
  }
  try {
    return to_image_set(read_idx_split(locator));
  } catch (const DataError& e) {
    throw DataError("data." + key + ": " + e.what());
  }
}

ImageSet subset(const ImageSet& set, int64_t count, uint64_t seed) {
  if (count <= 0 || count >= set.size()) return set;
  return select(set, stratified_subset(labels_of(set), count, seed));
}

// The configured long tail (data.subset.imbalance_ratio / class_fractions) of a training split.
ImageSet long_tail(const ImageSet& set, const config::SubsetConfig& subset, int64_t num_classes, uint64_t seed) {
  if (subset.class_fractions.empty() && subset.imbalance_ratio == 1.0) return set;
  const auto fractions = subset.class_fractions.empty() ? long_tail_fractions(num_classes, subset.imbalance_ratio)
                                                        : subset.class_fractions;
  if (static_cast<int64_t>(fractions.size()) != num_classes) {
    throw ConfigError("data.subset.class_fractions: expected " + std::to_string(num_classes) +
                      " values (one per class), got " + std::to_string(fractions.size()));
  }
  return select(set, class_fraction_subset(labels_of(set), fractions, seed));
}

}  // namespace

std::vector<int64_t> labels_of(const ImageSet& set) {
  if (set.size() == 0) return {};
  auto labels = set.labels.contiguous();
  return std::vector<int64_t>(labels.data_ptr<int64_t>(), labels.data_ptr<int64_t>() + labels.numel());
}

ImageSet select(const ImageSet& set, const std::vector<int64_t>& indices) {
  auto index = torch::tensor(indices, torch::kInt64);
  return {set.images.index_select(0, index).contiguous(), set.labels.index_select(0, index)};
}

DatasetSplits load_dataset(const config::DataConfig& config, uint64_t seed) {
  DatasetSplits splits;
  // A distinct stream per use of the seed: changing val_split does not change the subset.
  ImageSet full_train = subset(select_classes(read_split(config, config.train, "train"), config.classes, "data.train"),
                               config.subset.train, mix_seed(seed, 1));
  if (full_train.size() == 0) throw DataError("data.train: the training split is empty");
  splits.num_classes = full_train.labels.max().item<int64_t>() + 1;
  if (config.val_split > 0.0) {
    auto parts = stratified_split(labels_of(full_train), config.val_split, mix_seed(seed, 2));
    splits.train = select(full_train, parts.train);
    splits.val = select(full_train, parts.val);
  } else {
    splits.train = full_train;
  }
  splits.train = long_tail(splits.train, config.subset, splits.num_classes, mix_seed(seed, 4));
  if (!config.test.empty()) {
    splits.test = subset(select_classes(read_split(config, config.test, "test"), config.classes, "data.test"),
                         config.subset.test, mix_seed(seed, 3));
  }
  if (splits.train.size() == 0) throw DataError("data.train: the training split is empty");

  splits.input_shape = {full_train.images.size(1), full_train.images.size(2), full_train.images.size(3)};
  if (splits.test.size() > 0) {
    const int64_t test_max = splits.test.labels.max().item<int64_t>();
    if (test_max >= splits.num_classes) {
      throw DataError("data.test: label " + std::to_string(test_max) + " does not occur in the training data (" +
                      std::to_string(splits.num_classes) + " classes, 0.." + std::to_string(splits.num_classes - 1) + ")");
    }
    if (splits.test.images.sizes().slice(1) != full_train.images.sizes().slice(1)) {
      throw DataError("data.test: image shape differs from the training images");
    }
  }
  for (int64_t c = 0; c < splits.num_classes; ++c)
    splits.class_names.push_back(std::to_string(config.classes.empty() ? c : config.classes[static_cast<size_t>(c)]));
  return splits;
}

}  // namespace dltrain::data
