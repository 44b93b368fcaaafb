// data.format: idx (the MNIST family); classes are the label values 0..max, named by
// data.class_names when given.
#include <torch/torch.h>

#include "dltrain/config/experiment_config.h"
#include "dltrain/core/error.h"
#include "dltrain/data/dataset_format.h"
#include "dltrain/data/idx_reader.h"

namespace dltrain::data {

NamedSplit read_idx_format(const FormatRequest& request) {
  LabeledImages raw;
  try {
    raw = read_idx_split(request.locator, request.pixels);
  } catch (const DataError& e) {
    throw DataError("data." + request.key + ": " + e.what());
  }
  NamedSplit split;
  split.set.images = request.pixels
                         ? torch::from_blob(raw.pixels.data(), {raw.count, 1, raw.rows, raw.cols}, torch::kUInt8).clone()
                         : torch::zeros({raw.count, 1, raw.rows, raw.cols}, torch::kUInt8);
  split.set.labels = torch::tensor(raw.labels, torch::kInt64);
  const int64_t classes = raw.count > 0 ? split.set.labels.max().item<int64_t>() + 1 : 0;
  const auto& names = request.config.class_names;
  if (names.empty()) {
    for (int64_t c = 0; c < classes; ++c) split.class_names.push_back(std::to_string(c));
  } else if (classes > static_cast<int64_t>(names.size())) {
    throw DataError("data." + request.key + ": '" + request.locator + "' has label " + std::to_string(classes - 1) +
                    ", but data.class_names names only " + std::to_string(names.size()) + " classes");
  } else {
    split.class_names = names;
  }
  return split;
}

}  // namespace dltrain::data
