// Viridis from OpenCV's colour maps; count text switches to black on the bright end.
#include "dltrain/vision/confusion_matrix_image.h"

#include <algorithm>
#include <opencv2/imgproc.hpp>

#include "dltrain/core/error.h"
#include "dltrain/vision/text_drawing.h"

namespace dltrain::vision {

HeatMapLayout write_confusion_matrix_png(const std::vector<int64_t>& confusion,
                                         const std::vector<std::string>& class_names, const std::string& title,
                                         const std::string& path) {
  const int n = static_cast<int>(class_names.size());
  if (n == 0 || confusion.size() != static_cast<size_t>(n) * n) {
    throw InternalError("confusion matrix size does not match the class names");
  }
  const double label_scale = 0.45;
  int longest = 0;
  for (const auto& name : class_names) longest = std::max(longest, text_size(name, label_scale, 1).width);
  HeatMapLayout layout;
  layout.cell = std::max(36, std::min(60, 560 / n));
  layout.left = longest + 50;
  layout.top = 60 + longest;  // column labels stand upright above the matrix
  const int colorbar = 70;
  layout.width = layout.left + n * layout.cell + colorbar;
  layout.height = layout.top + n * layout.cell + 50;
  cv::Mat image(layout.height, layout.width, CV_8UC3, cv::Scalar(255, 255, 255));
  const cv::Scalar black(0, 0, 0), white(255, 255, 255);

  // Row shares in [0, 255] through the colour map.
  cv::Mat shares(n, n, CV_8UC1);
  for (int r = 0; r < n; ++r) {
    int64_t row_total = 0;
    for (int c = 0; c < n; ++c) row_total += confusion[static_cast<size_t>(r * n + c)];
    for (int c = 0; c < n; ++c) {
      const double share = row_total > 0 ? double(confusion[static_cast<size_t>(r * n + c)]) / row_total : 0.0;
      shares.at<uint8_t>(r, c) = static_cast<uint8_t>(std::lround(share * 255));
    }
  }
  cv::Mat colors;
  cv::applyColorMap(shares, colors, cv::COLORMAP_VIRIDIS);
  const double count_scale = layout.cell >= 48 ? 0.45 : 0.38;
  for (int r = 0; r < n; ++r) {
    for (int c = 0; c < n; ++c) {
      const cv::Rect box(layout.left + c * layout.cell, layout.top + r * layout.cell, layout.cell, layout.cell);
      const cv::Vec3b color = colors.at<cv::Vec3b>(r, c);
      cv::rectangle(image, box, cv::Scalar(color[0], color[1], color[2]), cv::FILLED);
      const bool bright = shares.at<uint8_t>(r, c) > 150;
      put_text_centered(image, std::to_string(confusion[static_cast<size_t>(r * n + c)]),
                        {box.x + box.width / 2, box.y + box.height / 2 + 5}, count_scale, bright ? black : white, 1);
    }
    put_text_right_aligned(image, class_names[static_cast<size_t>(r)],
                           {layout.left - 8, layout.top + r * layout.cell + layout.cell / 2 + 5}, label_scale, black, 1);
  }
  for (int c = 0; c < n; ++c) {
    const cv::Size size = text_size(class_names[static_cast<size_t>(c)], label_scale, 1);
    put_text_vertical(image, class_names[static_cast<size_t>(c)],
                      {layout.left + c * layout.cell + layout.cell / 2, layout.top - 8 - size.width / 2}, label_scale,
                      black, 1);
  }
  cv::rectangle(image, {layout.left, layout.top}, {layout.left + n * layout.cell, layout.top + n * layout.cell},
                cv::Scalar(90, 90, 90), 1);
  put_text_centered(image, title, {layout.left + n * layout.cell / 2, 24}, 0.6, black, 1);
  put_text_centered(image, "predicted class", {layout.left + n * layout.cell / 2, 46}, 0.5, black, 1);
  put_text_vertical(image, "true class", {14, layout.top + n * layout.cell / 2}, 0.5, black, 1);
  put_text_centered(image, "colour: share of the true class (row)",
                    {layout.left + n * layout.cell / 2, layout.top + n * layout.cell + 30}, 0.45, black, 1);

  // Colour bar: 0 at the bottom, 1 at the top.
  const int bar_left = layout.left + n * layout.cell + 20, bar_height = n * layout.cell;
  for (int y = 0; y < bar_height; ++y) {
    cv::Mat level(1, 1, CV_8UC1, cv::Scalar(255 - 255 * y / std::max(bar_height - 1, 1)));
    cv::Mat level_color;
    cv::applyColorMap(level, level_color, cv::COLORMAP_VIRIDIS);
    const cv::Vec3b color = level_color.at<cv::Vec3b>(0, 0);
    cv::line(image, {bar_left, layout.top + y}, {bar_left + 14, layout.top + y}, cv::Scalar(color[0], color[1], color[2]));
  }
  cv::putText(image, "1", {bar_left + 18, layout.top + 10}, cv::FONT_HERSHEY_SIMPLEX, 0.4, black, 1, cv::LINE_AA);
  cv::putText(image, "0", {bar_left + 18, layout.top + bar_height}, cv::FONT_HERSHEY_SIMPLEX, 0.4, black, 1, cv::LINE_AA);
  write_png(image, path);
  return layout;
}

}  // namespace dltrain::vision
