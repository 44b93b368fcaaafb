// The inputs of `predict` and `explain`: IDX image files (every image one input), image files
// and folders of them, gathered into one uint8 ImageSet of the model's sample shape.
#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "dltrain/data/image_dataset.h"
#include "dltrain/data/sample_transform.h"

namespace dltrain::data {

struct InputSamples {
  ImageSet set;                     // labels are 0: unknown, but the loader's sampler counts them
  std::vector<std::string> names;   // "file" or "file#index" for an IDX file's images
};

// A tabular model's inputs: its feature columns by name and the training split's scaling.
struct FeatureColumns {
  std::vector<std::string> names;
  std::vector<double> mean, std;  // x' = (x - mean) / std
  std::vector<double> fill;       // an empty cell's value in the table's units: the training mean
  bool fill_missing = false;      // data.csv.missing was mean; otherwise an empty cell is an error
};

// Each input is a CSV file with a header naming at least the feature columns (any others, the
// label among them, are ignored); every row is one input, named "file:line", scaled as in
// training. DataError naming file, line and column for a missing column or a bad cell.
InputSamples read_table_inputs(const std::vector<std::string>& inputs, const FeatureColumns& columns);

// Each input is an IDX images file (name ending in "-ubyte" or "-ubyte.gz"), an image file, or
// a folder (its image files, sorted by name, not recursive). `decode` (vision::read_image_file)
// may be empty (a build without OpenCV): image files are then a ConfigError. DataError for unreadable files or
// images whose size does not match `shape` ([C, H, W]) where no resize applies (IDX).
InputSamples read_input_samples(const std::vector<std::string>& inputs, const std::vector<int64_t>& shape,
                                const ImageDecoder& decode);

}  // namespace dltrain::data
