// IDX files are recognised by name: their header carries no magic beyond two zero bytes.
#include "dltrain/data/input_files.h"

#include <torch/torch.h>

#include <algorithm>
#include <cmath>
#include <filesystem>

#include "dltrain/core/error.h"
#include "dltrain/core/shape_text.h"
#include "dltrain/data/csv_table.h"
#include "dltrain/data/idx_reader.h"

namespace dltrain::data {
namespace {

bool ends_with(const std::string& text, const std::string& suffix) {
  return text.size() >= suffix.size() && text.compare(text.size() - suffix.size(), suffix.size(), suffix) == 0;
}

bool is_idx_file(const std::string& path) { return ends_with(path, "-ubyte") || ends_with(path, "-ubyte.gz"); }

}  // namespace

InputSamples read_table_inputs(const std::vector<std::string>& inputs, const FeatureColumns& columns) {
  if (columns.names.empty()) throw ConfigError("predict/explain: the model does not take table rows");
  const size_t features = columns.names.size();
  std::vector<float> values;
  InputSamples samples;
  for (const auto& input : inputs) {
    const CsvTable table = read_csv_table(input);
    std::vector<size_t> positions;
    for (const auto& name : columns.names) positions.push_back(table.column(name, "the model's feature column"));
    for (size_t r = 0; r < table.rows.size(); ++r) {
      for (size_t f = 0; f < features; ++f) {
        double x = table.number(r, positions[f]);
        if (std::isnan(x)) {
          if (!columns.fill_missing) {
            throw DataError(input + ":" + std::to_string(table.lines[r]) + ": column '" + columns.names[f] +
                            "': the cell is empty (the model was trained with data.csv.missing: " +
                            "error or drop, so it has no value to fill in)");
          }
          x = columns.fill[f];
        }
        values.push_back(static_cast<float>((x - columns.mean[f]) / columns.std[f]));
      }
      samples.names.push_back(input + ":" + std::to_string(table.lines[r]));
    }
  }
  const int64_t count = static_cast<int64_t>(samples.names.size());
  if (count == 0) throw DataError("predict/explain: the tables hold no rows");
  samples.set.images =
      torch::from_blob(values.data(), {count, static_cast<int64_t>(features)}, torch::kFloat32).clone();
  samples.set.labels = torch::zeros({count}, torch::kInt64);
  return samples;
}

InputSamples read_input_samples(const std::vector<std::string>& inputs, const std::vector<int64_t>& shape,
                                const ImageDecoder& decode) {
  namespace fs = std::filesystem;
  if (shape.size() != 3) throw ConfigError("predict/explain: the model does not take images (input shape " + shape_text(shape) + ")");
  std::vector<uint8_t> pixels;
  InputSamples samples;
  auto add_image = [&](const std::string& path) {
    if (!decode) throw ConfigError("'" + path + "': this dltrain was built without OpenCV; give IDX files");
    auto image = decode(path, shape[0], shape[1], shape[2]);
    pixels.insert(pixels.end(), image.pixels.begin(), image.pixels.end());
    samples.names.push_back(path);
  };
  for (const auto& input : inputs) {
    if (fs::is_directory(input)) {
      std::vector<std::string> files;
      for (const auto& entry : fs::directory_iterator(input))
        if (entry.is_regular_file() && is_image_file(entry.path().string())) files.push_back(entry.path().string());
      if (files.empty()) throw DataError("'" + input + "': the folder holds no PNG, JPEG or BMP files");
      std::sort(files.begin(), files.end());
      for (const auto& file : files) add_image(file);
    } else if (is_idx_file(input)) {
      const IdxArray idx = read_idx_file(input);
      std::vector<int64_t> image_shape(idx.dims.begin() + (idx.dims.empty() ? 0 : 1), idx.dims.end());
      if (image_shape.size() == 2) image_shape.insert(image_shape.begin(), 1);  // idx3: [N, H, W]
      if (idx.dims.empty() || image_shape != shape) {
        throw DataError("'" + input + "': IDX images of shape " + shape_text(image_shape) + ", the model takes " +
                        shape_text(shape));
      }
      pixels.insert(pixels.end(), idx.values.begin(), idx.values.end());
      for (int64_t i = 0; i < idx.dims[0]; ++i) samples.names.push_back(input + "#" + std::to_string(i));
    } else if (fs::is_regular_file(input)) {
      add_image(input);
    } else {
      throw DataError("'" + input + "': no such file or folder");
    }
  }
  const int64_t count = static_cast<int64_t>(samples.names.size());
  if (count == 0) throw DataError("predict/explain: no inputs");
  samples.set.images = torch::from_blob(pixels.data(), {count, shape[0], shape[1], shape[2]}, torch::kUInt8).clone();
  samples.set.labels = torch::zeros({count}, torch::kInt64);
  return samples;
}

}  // namespace dltrain::data
