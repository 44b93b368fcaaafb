// CIFAR-10/100 binary batches: records of label byte(s) + 3072 bytes (R, G, B planes of 32x32).
#include <fmt/format.h>
#include <torch/torch.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <iterator>

#include "dltrain/config/experiment_config.h"
#include "dltrain/core/error.h"
#include "dltrain/data/dataset_format.h"

namespace dltrain::data {
namespace {

namespace fs = std::filesystem;
constexpr int64_t kPixels = 3 * 32 * 32;

// A directory stands for its standard files: data_batch_*.bin / test_batch.bin (CIFAR-10),
// train.bin / test.bin (CIFAR-100).
std::vector<std::string> batch_files(const std::string& locator, const std::string& key, bool cifar100) {
  if (!fs::is_directory(locator)) {
    if (!fs::exists(locator)) throw DataError(fmt::format("data.{}: cifar: '{}' does not exist", key, locator));
    return {locator};
  }
  std::vector<std::string> files;
  const std::string wanted = cifar100 ? key + ".bin" : (key == "train" ? "data_batch_" : "test_batch.bin");
  for (const auto& entry : fs::directory_iterator(locator)) {
    const std::string name = entry.path().filename().string();
    const bool match = cifar100 || key != "train" ? name == wanted
                                                  : name.rfind(wanted, 0) == 0 && entry.path().extension() == ".bin";
    if (match) files.push_back(entry.path().string());
  }
  if (files.empty())
    throw DataError(fmt::format("data.{}: cifar: no {}{} in '{}'", key, wanted, key == "train" && !cifar100 ? "*.bin" : "",
                                locator));
  std::sort(files.begin(), files.end());
  return files;
}

// Class names from the label text file beside the batches, when it is there.
std::vector<std::string> label_names(const std::string& first_file, bool cifar100, bool coarse, int64_t classes) {
  const fs::path dir = fs::path(first_file).parent_path();
  const char* file = cifar100 ? (coarse ? "coarse_label_names.txt" : "fine_label_names.txt") : "batches.meta.txt";
  std::vector<std::string> names;
  std::ifstream in(dir / file);
  for (std::string line; std::getline(in, line);) {
    while (!line.empty() && (line.back() == '\r' || line.back() == ' ')) line.pop_back();
    if (!line.empty()) names.push_back(line);
  }
  if (static_cast<int64_t>(names.size()) != classes) {
    names.clear();
    for (int64_t c = 0; c < classes; ++c) names.push_back(std::to_string(c));
  }
  return names;
}

}  // namespace

NamedSplit read_cifar_format(const FormatRequest& request) {
  const bool cifar100 = request.config.cifar.variant == "cifar100";
  const bool coarse = request.config.cifar.label == "coarse";
  const int64_t label_bytes = cifar100 ? 2 : 1, record = label_bytes + kPixels;
  const int64_t classes = cifar100 ? (coarse ? 20 : 100) : 10;
  const auto files = batch_files(request.locator, request.key, cifar100);

  std::vector<uint8_t> pixels;
  std::vector<int64_t> labels;
  for (const auto& file : files) {
    std::ifstream in(file, std::ios::binary);
    if (!in) throw DataError(fmt::format("data.{}: cifar: cannot open '{}'", request.key, file));
    const std::vector<uint8_t> bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    const int64_t size = static_cast<int64_t>(bytes.size());
    if (size == 0 || size % record != 0) {
      throw DataError(fmt::format("data.{}: cifar: '{}' has {} bytes, not a whole number of {}-byte {} records", request.key,
                                  file, size, record, request.config.cifar.variant));
    }
    for (int64_t offset = 0; offset < size; offset += record) {
      const int64_t label = bytes[offset + (cifar100 && !coarse ? 1 : 0)];
      if (label >= classes) {
        throw DataError(fmt::format("data.{}: cifar: '{}' record {}: label {} is out of range for {} classes", request.key,
                                    file, offset / record, label, classes));
      }
      labels.push_back(label);
      pixels.insert(pixels.end(), bytes.begin() + offset + label_bytes, bytes.begin() + offset + record);
    }
  }
  const int64_t count = static_cast<int64_t>(labels.size());
  NamedSplit split;
  split.set.images = torch::from_blob(pixels.data(), {count, 3, 32, 32}, torch::kUInt8).clone();
  split.set.labels = torch::tensor(labels, torch::kInt64);
  split.class_names = label_names(files.front(), cifar100, coarse, classes);
  return split;
}

}  // namespace dltrain::data
