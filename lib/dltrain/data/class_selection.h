// data.classes: training on a chosen subset of a dataset's classes (a fine-tuning task made
// from the classes a pre-trained model never saw).
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "dltrain/data/image_dataset.h"

namespace dltrain::data {

// The samples whose label is one of `classes`, relabelled to its position there (classes[i]
// becomes i). Empty `classes` keeps the set. A listed class without samples is a DataError
// naming `key` (the split's config key).
ImageSet select_classes(const ImageSet& set, const std::vector<int64_t>& classes, const std::string& key);

}  // namespace dltrain::data
