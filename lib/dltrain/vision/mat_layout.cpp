// Plain loops: these run in loader threads, where ATen ops would start OpenMP teams.
#include "dltrain/vision/mat_layout.h"

namespace dltrain::vision {

cv::Mat to_mat(const uint8_t* chw, const std::vector<int64_t>& shape) {
  const int c = static_cast<int>(shape[0]), h = static_cast<int>(shape[1]), w = static_cast<int>(shape[2]);
  cv::Mat mat(h, w, CV_8UC(c));
  const int64_t plane = static_cast<int64_t>(h) * w;
  for (int y = 0; y < h; ++y) {
    uint8_t* row = mat.ptr<uint8_t>(y);
    for (int x = 0; x < w; ++x)
      for (int k = 0; k < c; ++k) row[x * c + k] = chw[k * plane + static_cast<int64_t>(y) * w + x];
  }
  return mat;
}

void to_chw(const cv::Mat& hwc, uint8_t* out) {
  const int c = hwc.channels(), h = hwc.rows, w = hwc.cols;
  const int64_t plane = static_cast<int64_t>(h) * w;
  for (int y = 0; y < h; ++y) {
    const uint8_t* row = hwc.ptr<uint8_t>(y);
    for (int x = 0; x < w; ++x)
      for (int k = 0; k < c; ++k) out[k * plane + static_cast<int64_t>(y) * w + x] = row[x * c + k];
  }
}

data::DecodedImage from_mat(const cv::Mat& hwc) {
  data::DecodedImage image{hwc.channels(), hwc.rows, hwc.cols, {}};
  image.pixels.resize(static_cast<size_t>(hwc.channels()) * hwc.rows * hwc.cols);
  to_chw(hwc, image.pixels.data());
  return image;
}

}  // namespace dltrain::vision
