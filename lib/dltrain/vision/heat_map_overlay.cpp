// Nearest-neighbour upscaling keeps the input's pixels visible as blocks, so a reader can see
// which pixels the map marks.
#include "dltrain/vision/heat_map_overlay.h"

#include <opencv2/imgproc.hpp>

#include <algorithm>

#include "dltrain/core/error.h"
#include "dltrain/vision/text_drawing.h"

namespace dltrain::vision {

void write_heat_map_overlay(const std::vector<uint8_t>& image, int64_t channels, int64_t height, int64_t width,
                            const std::vector<float>& map, const std::string& path, int scale, double alpha) {
  const int h = static_cast<int>(height), w = static_cast<int>(width);
  if (static_cast<int64_t>(map.size()) != height * width || static_cast<int64_t>(image.size()) != channels * height * width) {
    throw InternalError("heat map overlay: sizes do not match the image");
  }
  cv::Mat base(h, w, CV_8UC3);
  const int64_t plane = height * width;
  for (int y = 0; y < h; ++y)
    for (int x = 0; x < w; ++x) {
      const int64_t p = int64_t(y) * width + x;
      const uint8_t r = image[p], g = image[(channels == 3 ? plane : 0) + p], b = image[(channels == 3 ? 2 * plane : 0) + p];
      base.at<cv::Vec3b>(y, x) = cv::Vec3b(b, g, r);
    }
  const auto [lo, hi] = std::minmax_element(map.begin(), map.end());
  const float range = *hi - *lo > 0 ? *hi - *lo : 1.0f;
  cv::Mat level(h, w, CV_8UC1);
  for (int y = 0; y < h; ++y)
    for (int x = 0; x < w; ++x)
      level.at<uint8_t>(y, x) = static_cast<uint8_t>(255.0f * (map[size_t(y) * w + x] - *lo) / range + 0.5f);
  cv::Mat colors, blended;
  cv::applyColorMap(level, colors, cv::COLORMAP_JET);
  cv::addWeighted(colors, alpha, base, 1.0 - alpha, 0.0, blended);
  cv::resize(blended, blended, cv::Size(w * scale, h * scale), 0, 0, cv::INTER_NEAREST);
  write_png(blended, path);
}

}  // namespace dltrain::vision
