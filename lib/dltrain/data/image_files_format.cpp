// data.format: image_folder (root/<class>/<image>) and manifest (a CSV of path,label). Both
// list (file, class) pairs and decode them through the injected ImageDecoder (vision/OpenCV).
#include <fmt/format.h>
#include <spdlog/spdlog.h>
#include <torch/torch.h>

#include <algorithm>
#include <cctype>
#include <cstring>
#include <filesystem>

#include "dltrain/config/experiment_config.h"
#include "dltrain/core/error.h"
#include "dltrain/data/csv_table.h"
#include "dltrain/data/dataset_format.h"

namespace dltrain::data {
namespace {

namespace fs = std::filesystem;

struct LabeledFile {
  std::string path;
  std::string class_name;
};


NamedSplit decode_all(const FormatRequest& request, const std::vector<LabeledFile>& files) {
  if (!request.images.decode) {
    throw ConfigError("data.format: " + request.config.format +
                      " needs the vision module (OpenCV), which this build leaves out (DLTRAIN_WITH_VISION=OFF)");
  }
  const auto& size = request.config.image_size;
  const int64_t want_height = size.empty() ? 0 : size[0], want_width = size.empty() ? 0 : size.back();
  int64_t channels = request.config.channels, height = 0, width = 0;

  NamedSplit split;
  std::vector<std::string> names;
  for (const auto& file : files) names.push_back(file.class_name);
  split.class_names = sorted_class_names(names);

  std::vector<uint8_t> pixels;
  std::vector<int64_t> labels;
  for (const auto& file : files) {
    DecodedImage image;
    try {
      image = request.images.decode(file.path, channels, want_height, want_width);
    } catch (const DataError& e) {
      if (!request.config.skip_corrupt) throw DataError(fmt::format("data.{}: {}", request.key, e.what()));
      spdlog::warn("skipping unreadable image ({}; data.skip_corrupt is on)", e.what());
      split.skipped.push_back(file.path);
      continue;
    }
    if (labels.empty()) {  // the first image fixes what "as stored" means for the rest
      channels = image.channels;
      height = image.height;
      width = image.width;
    } else if (image.height != height || image.width != width) {
      throw DataError(fmt::format("data.{}: '{}' is {}x{}, unlike the first image ({}x{}); set data.image_size to resize all",
                                  request.key, file.path, image.height, image.width, height, width));
    }
    pixels.insert(pixels.end(), image.pixels.begin(), image.pixels.end());
    split.sources.push_back(file.path);
    labels.push_back(std::lower_bound(split.class_names.begin(), split.class_names.end(), file.class_name) -
                     split.class_names.begin());
  }
  const int64_t count = static_cast<int64_t>(labels.size());
  if (count == 0) throw DataError(fmt::format("data.{}: no readable images in '{}'", request.key, request.locator));
  split.set.images = torch::from_blob(pixels.data(), {count, channels, height, width}, torch::kUInt8).clone();
  split.set.labels = torch::tensor(labels, torch::kInt64);
  return split;
}

}  // namespace

std::vector<std::string> sorted_class_names(std::vector<std::string> names) {
  std::sort(names.begin(), names.end());
  names.erase(std::unique(names.begin(), names.end()), names.end());
  const bool numeric = std::all_of(names.begin(), names.end(), [](const std::string& n) {
    return !n.empty() && n.size() < 18 && std::all_of(n.begin(), n.end(), [](unsigned char c) { return std::isdigit(c); });
  });
  if (numeric) {
    std::sort(names.begin(), names.end(),
              [](const std::string& a, const std::string& b) { return std::stoll(a) < std::stoll(b); });
  }
  return names;
}

NamedSplit read_image_folder_format(const FormatRequest& request) {
  const fs::path root(request.locator);
  if (!fs::is_directory(root))
    throw DataError(fmt::format("data.{}: image_folder: '{}' is not a directory", request.key, request.locator));
  std::vector<LabeledFile> files;
  for (const auto& class_dir : fs::directory_iterator(root)) {
    if (!class_dir.is_directory()) continue;
    for (const auto& entry : fs::directory_iterator(class_dir.path())) {
      if (entry.is_regular_file() && is_image_file(entry.path().string()))
        files.push_back({entry.path().string(), class_dir.path().filename().string()});
    }
  }
  if (files.empty()) {
    throw DataError(fmt::format("data.{}: image_folder: no png/jpg/bmp/webp images in sub-directories of '{}'", request.key,
                                request.locator));
  }
  std::sort(files.begin(), files.end(), [](const LabeledFile& a, const LabeledFile& b) { return a.path < b.path; });
  return decode_all(request, files);
}

NamedSplit read_manifest_format(const FormatRequest& request) {
  const CsvTable table = read_csv_table(request.locator);
  const size_t path_column = table.column("path", "data." + request.key);
  const size_t label_column = table.column("label", "data." + request.key);
  const fs::path base = fs::path(request.locator).parent_path();
  std::vector<LabeledFile> files;
  for (size_t r = 0; r < table.rows.size(); ++r) {
    const auto& row = table.rows[r];
    if (row[path_column].empty() || row[label_column].empty())
      throw DataError(fmt::format("{}:{}: expected a path and a label, got an empty cell", table.path, table.lines[r]));
    const fs::path path(row[path_column]);
    files.push_back({(path.is_absolute() ? path : base / path).string(), row[label_column]});
  }
  if (files.empty()) throw DataError(fmt::format("data.{}: manifest '{}' lists no images", request.key, request.locator));
  return decode_all(request, files);
}

bool is_image_file(const std::string& path) {
  std::string ext = fs::path(path).extension().string();
  std::transform(ext.begin(), ext.end(), ext.begin(), [](unsigned char c) { return std::tolower(c); });
  for (const char* known : {".png", ".jpg", ".jpeg", ".bmp", ".webp"})
    if (ext == known) return true;
  return false;
}

}  // namespace dltrain::data
