// Relabelling keeps the sample order, so seeded subsets and splits drawn afterwards stay stable.
#include "dltrain/data/class_selection.h"

#include <torch/torch.h>

#include <map>

#include "dltrain/core/error.h"

namespace dltrain::data {

ImageSet select_classes(const ImageSet& set, const std::vector<int64_t>& classes, const std::string& key) {
  if (classes.empty()) return set;
  std::map<int64_t, int64_t> position;
  for (std::size_t i = 0; i < classes.size(); ++i) position[classes[i]] = static_cast<int64_t>(i);
  std::vector<int64_t> indices, labels;
  std::vector<int64_t> counts(classes.size(), 0);
  const auto all_labels = labels_of(set);
  for (std::size_t i = 0; i < all_labels.size(); ++i) {
    auto found = position.find(all_labels[i]);
    if (found == position.end()) continue;
    indices.push_back(static_cast<int64_t>(i));
    labels.push_back(found->second);
    ++counts[static_cast<std::size_t>(found->second)];
  }
  for (std::size_t i = 0; i < classes.size(); ++i) {
    if (counts[i] == 0) {
      throw DataError(key + ": data.classes lists class " + std::to_string(classes[i]) +
                      ", which has no samples there");
    }
  }
  ImageSet selected = select(set, indices);
  selected.labels = torch::tensor(labels, torch::kInt64);
  return selected;
}

}  // namespace dltrain::data
