// Text placement helpers and PNG output shared by the chart and heat-map drawings (OpenCV
// types; used inside vision/ only).
#pragma once

#include <opencv2/core.hpp>
#include <string>

namespace dltrain::vision {

void put_text_centered(cv::Mat& image, const std::string& text, cv::Point center_baseline, double scale,
                       const cv::Scalar& color, int thickness);
void put_text_right_aligned(cv::Mat& image, const std::string& text, cv::Point right_baseline, double scale,
                            const cv::Scalar& color, int thickness);
// Text rotated 90 degrees counter-clockwise (reads bottom to top), centred on `center`.
void put_text_vertical(cv::Mat& image, const std::string& text, cv::Point center, double scale,
                       const cv::Scalar& color, int thickness);
cv::Size text_size(const std::string& text, double scale, int thickness);

// Throws DataError naming the path when it cannot be written.
void write_png(const cv::Mat& image, const std::string& path);

}  // namespace dltrain::vision
