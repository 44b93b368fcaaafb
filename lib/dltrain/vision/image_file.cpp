// Decoding and encoding with OpenCV; pixels cross the module boundary as uint8 CHW RGB.
#include "dltrain/vision/image_file.h"

#include <fmt/format.h>

#include <filesystem>
#include <opencv2/imgcodecs.hpp>
#include <opencv2/imgproc.hpp>

#include "dltrain/core/error.h"
#include "dltrain/vision/augmentation.h"
#include "dltrain/vision/mat_layout.h"

namespace dltrain::vision {

data::DecodedImage read_image_file(const std::string& path, int64_t channels, int64_t height, int64_t width) {
  if (!std::filesystem::is_regular_file(path)) throw DataError(fmt::format("'{}': no such image file", path));
  cv::Mat image;
  try {
    image = cv::imread(path, cv::IMREAD_UNCHANGED);
  } catch (const cv::Exception&) {
    image.release();
  }
  if (image.empty()) throw DataError(fmt::format("'{}': cannot decode the image (corrupt or not png/jpg/bmp/webp)", path));
  if (image.depth() != CV_8U) image.convertTo(image, CV_8U, image.depth() == CV_16U ? 1.0 / 257 : 1.0);
  const bool gray = image.channels() == 1;
  if (channels == 0) channels = gray ? 1 : 3;
  if (channels == 1 && !gray) cv::cvtColor(image, image, image.channels() == 4 ? cv::COLOR_BGRA2GRAY : cv::COLOR_BGR2GRAY);
  if (channels == 3) {
    if (gray) cv::cvtColor(image, image, cv::COLOR_GRAY2RGB);
    else cv::cvtColor(image, image, image.channels() == 4 ? cv::COLOR_BGRA2RGB : cv::COLOR_BGR2RGB);
  }
  if ((height > 0 && height != image.rows) || (width > 0 && width != image.cols)) {
    cv::resize(image, image, cv::Size(static_cast<int>(width), static_cast<int>(height)), 0, 0, cv::INTER_AREA);
  }
  return from_mat(image);
}

void write_png(const std::string& path, const data::DecodedImage& image) {
  cv::Mat mat = to_mat(image.pixels.data(), {image.channels, image.height, image.width});
  if (mat.channels() == 3) cv::cvtColor(mat, mat, cv::COLOR_RGB2BGR);
  bool ok = false;
  try {
    ok = cv::imwrite(path, mat);
  } catch (const cv::Exception&) {
  }
  if (!ok) throw DataError(fmt::format("'{}': cannot write the PNG file", path));
}

data::ImageSupport image_support() {
  // OpenCV would spread each small image over its own thread pool, on the cores LibTorch's
  // threads are computing on; dltrain parallelizes over samples (data.workers) instead.
  cv::setNumThreads(0);
  return {read_image_file, [](const std::vector<config::LayerConfig>& ops, bool training) {
            return std::static_pointer_cast<const data::SampleTransform>(build_augmentation(ops, training));
          }};
}

}  // namespace dltrain::vision
