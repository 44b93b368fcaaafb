// Grayscale models get luminance, colour models get RGB (OpenCV decodes BGR): the order the
// IDX and CIFAR readers give the trainer.
#include "dltrain/vision/image_file.h"

#include <opencv2/imgcodecs.hpp>
#include <opencv2/imgproc.hpp>

#include <algorithm>
#include <cctype>
#include <filesystem>

#include "dltrain/core/error.h"

namespace dltrain::vision {

bool is_image_file(const std::string& path) {
  std::string ext = std::filesystem::path(path).extension().string();
  std::transform(ext.begin(), ext.end(), ext.begin(), [](unsigned char c) { return std::tolower(c); });
  return ext == ".png" || ext == ".jpg" || ext == ".jpeg" || ext == ".bmp";
}

std::vector<uint8_t> read_image_file(const std::string& path, int64_t channels, int64_t height, int64_t width) {
  if (channels != 1 && channels != 3) {
    throw ConfigError("'" + path + "': the model takes " + std::to_string(channels) +
                      "-channel input; image files give 1 or 3 channels");
  }
  cv::Mat image;
  try {
    image = cv::imread(path, channels == 1 ? cv::IMREAD_GRAYSCALE : cv::IMREAD_COLOR);
  } catch (const cv::Exception& e) {
    throw DataError("cannot read image '" + path + "': " + e.msg);
  }
  if (image.empty()) throw DataError("cannot read image '" + path + "' (missing, or not a PNG/JPEG/BMP file)");
  if (channels == 3) cv::cvtColor(image, image, cv::COLOR_BGR2RGB);
  if (image.rows != height || image.cols != width) {
    cv::resize(image, image, cv::Size(static_cast<int>(width), static_cast<int>(height)), 0, 0, cv::INTER_AREA);
  }
  std::vector<uint8_t> pixels(static_cast<std::size_t>(channels * height * width));
  const int64_t plane = height * width;
  for (int64_t y = 0; y < height; ++y) {
    const uint8_t* row = image.ptr<uint8_t>(static_cast<int>(y));
    for (int64_t x = 0; x < width; ++x)
      for (int64_t c = 0; c < channels; ++c) pixels[c * plane + y * width + x] = row[x * channels + c];
  }
  return pixels;
}

}  // namespace dltrain::vision
