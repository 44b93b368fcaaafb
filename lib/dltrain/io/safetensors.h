// The safetensors format (huggingface/safetensors): an 8-byte little-endian header length, a JSON
// header mapping each tensor name to {dtype, shape, data_offsets} plus an optional
// "__metadata__" map of strings, then the tensors' little-endian bytes back to back.
#pragma once

#include <torch/types.h>

#include <map>
#include <string>
#include <utility>
#include <vector>

namespace dltrain::io {

struct SafetensorsContents {
  std::vector<std::pair<std::string, torch::Tensor>> tensors;  // in file offset order
  std::map<std::string, std::string> metadata;
};

// Writes atomically; tensors are stored contiguous, on the CPU, in the given order. Names must be
// unique and not "__metadata__". Throws DataError when the file cannot be written.
void write_safetensors(const std::string& path, const std::vector<std::pair<std::string, torch::Tensor>>& tensors,
                       const std::map<std::string, std::string>& metadata = {});

// Reads and validates the whole file (header bounds, dtypes, shapes against offsets, offsets
// contiguous and covering the data). Throws DataError naming the file and what is wrong.
SafetensorsContents read_safetensors(const std::string& path);

}  // namespace dltrain::io
