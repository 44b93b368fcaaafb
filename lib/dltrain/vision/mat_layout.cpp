// These run in loader threads: OpenCV (sequential there), no ATen ops, which would start OpenMP teams.
#include "dltrain/vision/mat_layout.h"

namespace dltrain::vision {

namespace {

// The c planes of an h x w CHW buffer, as one-channel Mats over its memory (no copy).
std::vector<cv::Mat> plane_views(uint8_t* chw, int c, int h, int w) {
  std::vector<cv::Mat> planes;
  for (int k = 0; k < c; ++k) planes.emplace_back(h, w, CV_8UC1, chw + static_cast<int64_t>(k) * h * w);
  return planes;
}

}  // namespace

// OpenCV's merge and split interleave with SIMD; the byte-by-byte loops they replace took 42% of
// a loader thread's time on random_crop + hflip of Fashion-MNIST images.
cv::Mat to_mat(const uint8_t* chw, const std::vector<int64_t>& shape) {
  const int c = static_cast<int>(shape[0]), h = static_cast<int>(shape[1]), w = static_cast<int>(shape[2]);
  cv::Mat mat(h, w, CV_8UC(c));
  const auto planes = plane_views(const_cast<uint8_t*>(chw), c, h, w);  // only read
  cv::merge(planes.data(), planes.size(), mat);
  return mat;
}

void to_chw(const cv::Mat& hwc, uint8_t* out) {
  auto planes = plane_views(out, hwc.channels(), hwc.rows, hwc.cols);
  cv::split(hwc, planes.data());
}

data::DecodedImage from_mat(const cv::Mat& hwc) {
  data::DecodedImage image{hwc.channels(), hwc.rows, hwc.cols, {}};
  image.pixels.resize(static_cast<size_t>(hwc.channels()) * hwc.rows * hwc.cols);
  to_chw(hwc, image.pixels.data());
  return image;
}

}  // namespace dltrain::vision
