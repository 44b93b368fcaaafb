// Builds the train / val / test sets from the configured format.
#include "dltrain/data/image_dataset.h"

#include <torch/torch.h>

#include <algorithm>

#include "dltrain/config/experiment_config.h"
#include "dltrain/core/error.h"
#include "dltrain/data/class_balance.h"
#include "dltrain/data/class_selection.h"
#include "dltrain/data/dataset_format.h"
#include "dltrain/data/seeded_shuffle.h"
#include "dltrain/data/stratified_split.h"

namespace dltrain::data {
namespace {

// data.format -> reader; a new format is one reader plus one line here.
struct FormatEntry {
  const char* name;
  NamedSplit (*read)(const FormatRequest&);
};
constexpr FormatEntry kFormats[] = {{"idx", read_idx_format},
                                    {"cifar", read_cifar_format},
                                    {"image_folder", read_image_folder_format},
                                    {"manifest", read_manifest_format},
                                    {"csv", read_csv_format}};

NamedSplit read_split(const config::DataConfig& config, const std::string& locator, const std::string& key,
                      const ImageSupport& images, bool pixels = true) {
  for (const auto& format : kFormats) {
    if (config.format == format.name) return format.read(FormatRequest{locator, key, config, images, pixels});
  }
  throw ConfigError("data.format: \"" + config.format + "\" is not a known format");
}

// Test labels renumbered to the training split's class names (test may lack some classes).
void map_to_training_classes(NamedSplit& test, const std::vector<std::string>& train_names) {
  std::vector<int64_t> mapping;
  for (const auto& name : test.class_names) {
    const auto it = std::find(train_names.begin(), train_names.end(), name);
    if (it == train_names.end()) {
      throw DataError("data.test: class '" + name + "' does not occur in the training data (" +
                      std::to_string(train_names.size()) + " classes)");
    }
    mapping.push_back(it - train_names.begin());
  }
  test.set.labels = torch::tensor(mapping, torch::kInt64).index_select(0, test.set.labels);
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

void attach_augmentation(DatasetSplits& splits, const config::DataConfig& config, const ImageSupport& images) {
  if (config.augment.empty()) return;
  if (splits.input_shape.size() != 3) throw ConfigError("data.augment: image ops need image data, not data.format: csv");
  if (!images.transforms) {
    throw ConfigError("data.augment: needs the vision module (OpenCV), which this build leaves out "
                      "(DLTRAIN_WITH_VISION=OFF)");
  }
  auto training = images.transforms(config.augment, true), evaluation = images.transforms(config.augment, false);
  const auto train_shape = training->output_shape(splits.input_shape);
  if (train_shape != evaluation->output_shape(splits.input_shape)) {
    throw ConfigError("data.augment: training and evaluation images would differ in size; end the list with a "
                      "resize or crop that fixes the size");
  }
  splits.input_shape = train_shape;
  splits.train.transform = training;
  splits.val.transform = splits.test.transform = evaluation;
}

}  // namespace

std::vector<int64_t> labels_of(const ImageSet& set) {
  if (set.size() == 0) return {};
  auto labels = set.labels.contiguous();
  return std::vector<int64_t>(labels.data_ptr<int64_t>(), labels.data_ptr<int64_t>() + labels.numel());
}

ImageSet select(const ImageSet& set, const std::vector<int64_t>& indices) {
  auto index = torch::tensor(indices, torch::kInt64);
  return {set.images.index_select(0, index).contiguous(), set.labels.index_select(0, index), set.transform};
}

namespace {

// data.classes keeps those classes, in that order, under their names.
std::vector<std::string> chosen_class_names(const std::vector<std::string>& names, const std::vector<int64_t>& classes) {
  if (classes.empty()) return names;
  std::vector<std::string> chosen;
  for (const int64_t c : classes) {
    if (c >= static_cast<int64_t>(names.size()))
      throw DataError("data.classes: class " + std::to_string(c) + " does not exist; the data has " +
                      std::to_string(names.size()) + " classes");
    chosen.push_back(names[static_cast<size_t>(c)]);
  }
  return chosen;
}

}  // namespace

NamedImages load_training_source(const config::DataConfig& config, const ImageSupport& images) {
  NamedSplit train = read_split(config, config.train, "train", images);
  for (int64_t i = static_cast<int64_t>(train.sources.size()); i < train.set.size(); ++i)
    train.sources.push_back(config.train + "#" + std::to_string(i));
  return {std::move(train.set), std::move(train.class_names), std::move(train.sources)};
}

DatasetSplits load_dataset(const config::DataConfig& config, uint64_t seed, const ImageSupport& images,
                           DataDepth depth) {
  const bool pixels = depth == DataDepth::everything;
  DatasetSplits splits;
  NamedSplit source = read_split(config, config.train, "train", images, pixels);
  splits.class_names = chosen_class_names(source.class_names, config.classes);
  splits.feature_names = source.feature_names;
  splits.skipped = source.skipped;
  // A distinct stream per use of the seed: changing val_split does not change the subset.
  ImageSet full_train = subset(select_classes(source.set, config.classes, "data.train"), config.subset.train,
                               mix_seed(seed, 1));
  if (full_train.size() == 0) throw DataError("data.train: the training split is empty");
  splits.num_classes = static_cast<int64_t>(splits.class_names.size());
  if (config.val_split > 0.0) {
    auto parts = stratified_split(labels_of(full_train), config.val_split, mix_seed(seed, 2));
    splits.train = select(full_train, parts.train);
    splits.val = select(full_train, parts.val);
  } else {
    splits.train = full_train;
  }
  splits.train = long_tail(splits.train, config.subset, splits.num_classes, mix_seed(seed, 4));
  if (!config.test.empty()) {
    NamedSplit test = read_split(config, config.test, "test", images, pixels);
    map_to_training_classes(test, source.class_names);
    splits.skipped.insert(splits.skipped.end(), test.skipped.begin(), test.skipped.end());
    splits.test = subset(select_classes(test.set, config.classes, "data.test"), config.subset.test, mix_seed(seed, 3));
  }
  if (splits.train.size() == 0) throw DataError("data.train: the training split is empty");

  const auto sample_shape = full_train.images.sizes().slice(1);
  splits.input_shape = sample_shape.vec();
  if (splits.test.size() > 0 && splits.test.images.sizes().slice(1) != sample_shape) {
    throw DataError("data.test: sample shape differs from the training samples'");
  }
  if (config.format == "csv") fit_feature_scaling(splits, config.csv);
  attach_augmentation(splits, config, images);
  return splits;
}

}  // namespace dltrain::data
