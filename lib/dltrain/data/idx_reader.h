// Reader for the IDX format of the MNIST family (raw or gzip), validated against the file so a
// damaged or lying header is a one-line DataError, never a crash or a huge allocation.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace dltrain::data {

// One IDX file: big-endian header 0, 0, type, ndims, then ndims uint32 dimensions, then the values.
struct IdxArray {
  std::vector<int64_t> dims;
  std::vector<uint8_t> values;  // row-major, product(dims) entries
};

// Reads a raw or gzip IDX file (gzip is detected by its 1f 8b magic, not by the name).
// Only element type 0x08 (unsigned byte) is supported. Throws DataError naming the path.
// header_only: the dimensions alone (values stays empty; the rest of the file is not checked).
IdxArray read_idx_file(const std::string& path, bool header_only = false);

// Images [count, rows, cols] with their labels, as read from an images/labels file pair.
struct LabeledImages {
  int64_t count = 0, rows = 0, cols = 0;
  std::vector<uint8_t> pixels;  // count * rows * cols, row-major
  std::vector<int64_t> labels;  // count
};

// prefix "/usr/share/datasets/fashion-mnist/train" reads "<prefix>-images-idx3-ubyte" and
// "<prefix>-labels-idx1-ubyte", each raw or with a ".gz" suffix (the raw file wins if both exist).
// pixels false: the images file's header only (pixels stays empty), for shapes and counts.
LabeledImages read_idx_split(const std::string& prefix, bool pixels = true);

}  // namespace dltrain::data
