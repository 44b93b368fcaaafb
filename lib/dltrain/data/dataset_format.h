// One reader per data.format. Each returns a split whose labels index its own class names;
// load_dataset maps test labels onto the training split's names.
#pragma once

#include <string>
#include <vector>

#include "dltrain/data/image_dataset.h"
#include "dltrain/data/sample_transform.h"

namespace dltrain::config {
struct DataConfig;
struct CsvConfig;
}

namespace dltrain::data {

struct FormatRequest {
  const std::string& locator;  // data.train or data.test
  const std::string& key;      // "train" | "test", for messages and default file names
  const config::DataConfig& config;
  const ImageSupport& images;
  // false: the caller needs shapes, labels and counts only (dltrain check); a format may leave
  // the pixel values unread (zeros). true: everything is read and checked.
  bool pixels = true;
};

struct NamedSplit {
  ImageSet set;
  std::vector<std::string> class_names;
  std::vector<std::string> feature_names;  // csv only
  std::vector<std::string> skipped;        // unreadable files left out under data.skip_corrupt
  std::vector<std::string> sources;        // image_folder, manifest: each sample's file
};

NamedSplit read_idx_format(const FormatRequest& request);
NamedSplit read_cifar_format(const FormatRequest& request);
NamedSplit read_image_folder_format(const FormatRequest& request);
NamedSplit read_manifest_format(const FormatRequest& request);
NamedSplit read_csv_format(const FormatRequest& request);

// csv: fills missing cells with the training mean and applies data.csv.standardize, fitted on
// splits.train only; records the scaling in splits.
void fit_feature_scaling(DatasetSplits& splits, const config::CsvConfig& csv);

// Class names in a stable order: numerically when every name is an integer, else by text.
std::vector<std::string> sorted_class_names(std::vector<std::string> names);

}  // namespace dltrain::data
