// Tick steps are 1, 2 or 5 times a power of ten; the y range gets 5% headroom so curves do
// not run along the frame. Dashed lines are drawn as segments because OpenCV has none.
#include "dltrain/vision/line_chart.h"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <opencv2/imgcodecs.hpp>
#include <opencv2/imgproc.hpp>

#include "dltrain/core/error.h"
#include "dltrain/vision/text_drawing.h"

namespace dltrain::vision {
namespace {

constexpr int kPanelWidth = 520, kPlotHeight = 300, kMarginLeft = 92, kMarginRight = 20, kMarginTop = 44;
constexpr int kAxisBand = 52, kLegendRow = 20;

cv::Scalar scalar(const std::array<uint8_t, 3>& bgr) { return cv::Scalar(bgr[0], bgr[1], bgr[2]); }

double nice_step(double range, int target_ticks) {
  const double raw = range / std::max(target_ticks, 1);
  const double power = std::pow(10.0, std::floor(std::log10(raw)));
  for (double m : {1.0, 2.0, 5.0, 10.0}) {
    if (m * power >= raw) return m * power;
  }
  return 10 * power;
}

std::string tick_text(double value, double step) {
  if (std::abs(value) < step * 1e-6) return "0";
  const double magnitude = std::max(std::abs(value), step);
  if (magnitude >= 1e4 || magnitude < 1e-3) return fmt::format("{:.1e}", value);
  const int decimals = std::max(0, static_cast<int>(-std::floor(std::log10(step))));
  return fmt::format("{:.{}f}", value, decimals);
}

void range_of(const Panel& panel, PlotArea& area) {
  double x0 = INFINITY, x1 = -INFINITY, y0 = INFINITY, y1 = -INFINITY;
  for (const auto& series : panel.series) {
    for (const auto& [x, y] : series.points) {
      if (!std::isfinite(x) || !std::isfinite(y)) continue;
      x0 = std::min(x0, x), x1 = std::max(x1, x), y0 = std::min(y0, y), y1 = std::max(y1, y);
    }
  }
  if (!std::isfinite(x0)) x0 = 0, x1 = 1, y0 = 0, y1 = 1;
  if (x1 - x0 < 1e-12) x0 -= 0.5, x1 += 0.5;
  if (y1 - y0 < 1e-12 * std::max(1.0, std::abs(y0))) {
    const double pad = std::max(std::abs(y0) * 0.05, 1e-6);
    y0 -= pad, y1 += pad;
  } else {
    const double pad = (y1 - y0) * 0.05;
    y0 -= pad, y1 += pad;
  }
  area.x_min = x0, area.x_max = x1, area.y_min = y0, area.y_max = y1;
}

void draw_series(cv::Mat& image, const PlotArea& area, const Series& series) {
  const cv::Scalar color = scalar(series.bgr);
  std::vector<cv::Point> points;
  for (const auto& [x, y] : series.points) {
    if (std::isfinite(x) && std::isfinite(y)) points.emplace_back(area.px(x), area.py(y));
  }
  for (size_t i = 1; series.lines && i < points.size(); ++i) {
    if (!series.dashed) {
      cv::line(image, points[i - 1], points[i], color, 2, cv::LINE_AA);
      continue;
    }
    const cv::Point2d a(points[i - 1]), b(points[i]);
    const double length = cv::norm(b - a);
    for (double s = 0; s < length; s += 12) {
      const double e = std::min(s + 7, length);
      cv::line(image, a + (b - a) * (s / length), a + (b - a) * (e / length), color, 2, cv::LINE_AA);
    }
  }
  for (const auto& p : points) cv::circle(image, p, 3, color, cv::FILLED, cv::LINE_AA);
}

void draw_panel(cv::Mat& image, const Panel& panel, const PlotArea& area) {
  const cv::Scalar black(0, 0, 0), grid(225, 225, 225), frame(90, 90, 90);
  const int right = area.left + area.width, bottom = area.top + area.height;
  put_text_centered(image, panel.title, {area.left + area.width / 2, area.top - 16}, 0.6, black, 1);

  const double x_nice = nice_step(area.x_max - area.x_min, 6);
  const double x_step = panel.whole_x ? std::max(1.0, x_nice) : x_nice;
  for (double x = std::ceil(area.x_min / x_step) * x_step; x <= area.x_max + 1e-9; x += x_step) {
    cv::line(image, {area.px(x), area.top}, {area.px(x), bottom}, grid, 1);
    cv::line(image, {area.px(x), bottom}, {area.px(x), bottom + 5}, frame, 1);
    put_text_centered(image, tick_text(x, x_step), {area.px(x), bottom + 20}, 0.42, black, 1);
  }
  const double y_step = nice_step(area.y_max - area.y_min, 5);
  for (double y = std::ceil(area.y_min / y_step) * y_step; y <= area.y_max + 1e-12; y += y_step) {
    cv::line(image, {area.left, area.py(y)}, {right, area.py(y)}, grid, 1);
    cv::line(image, {area.left - 5, area.py(y)}, {area.left, area.py(y)}, frame, 1);
    put_text_right_aligned(image, tick_text(y, y_step), {area.left - 8, area.py(y) + 5}, 0.42, black, 1);
  }
  cv::rectangle(image, {area.left, area.top}, {right, bottom}, frame, 1);
  put_text_centered(image, panel.x_label, {area.left + area.width / 2, bottom + 42}, 0.5, black, 1);
  put_text_vertical(image, panel.y_label, {area.left - 80, area.top + area.height / 2}, 0.5, black, 1);

  for (const auto& series : panel.series) draw_series(image, area, series);

  // Legend under the axis label, two columns, so it never hides data.
  const int legend_top = bottom + kAxisBand;
  for (size_t i = 0; i < panel.series.size(); ++i) {
    const int column = static_cast<int>(i % 2), row = static_cast<int>(i / 2);
    const int x = area.left + column * (area.width / 2), y = legend_top + row * kLegendRow + 12;
    const cv::Scalar color = scalar(panel.series[i].bgr);
    if (panel.series[i].dashed) {
      cv::line(image, {x, y}, {x + 10, y}, color, 2, cv::LINE_AA);
      cv::line(image, {x + 16, y}, {x + 28, y}, color, 2, cv::LINE_AA);
    } else {
      cv::line(image, {x, y}, {x + 28, y}, color, 2, cv::LINE_AA);
    }
    cv::putText(image, panel.series[i].label, {x + 36, y + 5}, cv::FONT_HERSHEY_SIMPLEX, 0.42, black, 1, cv::LINE_AA);
  }
}

}  // namespace

int PlotArea::px(double x) const {
  return left + static_cast<int>(std::lround((x - x_min) / (x_max - x_min) * width));
}

int PlotArea::py(double y) const {
  return top + height - static_cast<int>(std::lround((y - y_min) / (y_max - y_min) * height));
}

std::array<uint8_t, 3> palette_color(size_t index) {
  static const std::array<std::array<uint8_t, 3>, 10> tab10 = {{{180, 119, 31},
                                                                 {14, 127, 255},
                                                                 {44, 160, 44},
                                                                 {40, 39, 214},
                                                                 {189, 103, 148},
                                                                 {75, 86, 140},
                                                                 {194, 119, 227},
                                                                 {127, 127, 127},
                                                                 {34, 189, 188},
                                                                 {207, 190, 23}}};
  return tab10[index % tab10.size()];
}

std::vector<PlotArea> write_panels_png(const std::vector<Panel>& panels, const std::string& path) {
  size_t legend_rows = 0;
  for (const auto& panel : panels) legend_rows = std::max(legend_rows, (panel.series.size() + 1) / 2);
  const int height = kMarginTop + kPlotHeight + kAxisBand + static_cast<int>(legend_rows) * kLegendRow + 16;
  const int width = static_cast<int>(std::max<size_t>(panels.size(), 1)) * kPanelWidth;
  cv::Mat image(height, width, CV_8UC3, cv::Scalar(255, 255, 255));
  std::vector<PlotArea> areas;
  for (size_t i = 0; i < panels.size(); ++i) {
    PlotArea area;
    area.left = static_cast<int>(i) * kPanelWidth + kMarginLeft;
    area.top = kMarginTop;
    area.width = kPanelWidth - kMarginLeft - kMarginRight;
    area.height = kPlotHeight;
    range_of(panels[i], area);
    draw_panel(image, panels[i], area);
    areas.push_back(area);
  }
  write_png(image, path);
  return areas;
}

}  // namespace dltrain::vision
