// Vertical text is drawn on a small canvas and rotated: OpenCV's putText is horizontal only.
#include "dltrain/vision/text_drawing.h"

#include <opencv2/imgcodecs.hpp>
#include <opencv2/imgproc.hpp>

#include "dltrain/core/error.h"

namespace dltrain::vision {

cv::Size text_size(const std::string& text, double scale, int thickness) {
  int baseline = 0;
  return cv::getTextSize(text, cv::FONT_HERSHEY_SIMPLEX, scale, thickness, &baseline);
}

void put_text_centered(cv::Mat& image, const std::string& text, cv::Point center_baseline, double scale,
                       const cv::Scalar& color, int thickness) {
  const cv::Size size = text_size(text, scale, thickness);
  cv::putText(image, text, {center_baseline.x - size.width / 2, center_baseline.y}, cv::FONT_HERSHEY_SIMPLEX, scale,
              color, thickness, cv::LINE_AA);
}

void put_text_right_aligned(cv::Mat& image, const std::string& text, cv::Point right_baseline, double scale,
                            const cv::Scalar& color, int thickness) {
  const cv::Size size = text_size(text, scale, thickness);
  cv::putText(image, text, {right_baseline.x - size.width, right_baseline.y}, cv::FONT_HERSHEY_SIMPLEX, scale, color,
              thickness, cv::LINE_AA);
}

void put_text_vertical(cv::Mat& image, const std::string& text, cv::Point center, double scale,
                       const cv::Scalar& color, int thickness) {
  const cv::Size size = text_size(text, scale, thickness);
  cv::Mat canvas(size.height + 8, size.width + 4, image.type(), cv::Scalar(255, 255, 255));
  cv::putText(canvas, text, {2, size.height + 2}, cv::FONT_HERSHEY_SIMPLEX, scale, color, thickness, cv::LINE_AA);
  cv::Mat rotated;
  cv::rotate(canvas, rotated, cv::ROTATE_90_COUNTERCLOCKWISE);
  cv::Rect target(center.x - rotated.cols / 2, center.y - rotated.rows / 2, rotated.cols, rotated.rows);
  const cv::Rect clipped = target & cv::Rect(0, 0, image.cols, image.rows);
  if (clipped.area() == 0) return;
  const cv::Rect source(clipped.x - target.x, clipped.y - target.y, clipped.width, clipped.height);
  // Only the dark text pixels are copied, so the label never blanks what lies beneath it.
  cv::Mat mask;
  cv::cvtColor(rotated(source), mask, cv::COLOR_BGR2GRAY);
  cv::threshold(mask, mask, 250, 255, cv::THRESH_BINARY_INV);
  rotated(source).copyTo(image(clipped), mask);
}

void write_png(const cv::Mat& image, const std::string& path) {
  bool ok = false;
  try {
    ok = cv::imwrite(path, image);
  } catch (const cv::Exception& e) {
    throw DataError("cannot write '" + path + "': " + e.msg);
  }
  if (!ok) throw DataError("cannot write '" + path + "' (missing directory or not a .png name?)");
}

}  // namespace dltrain::vision
