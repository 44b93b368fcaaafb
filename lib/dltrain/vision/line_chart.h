// Line charts drawn with OpenCV: panels side by side, each with axes, ticks, axis labels, a
// title and a legend under the plot, written as one PNG. Headers stay free of OpenCV types.
#pragma once

#include <array>
#include <cstdint>
#include <string>
#include <utility>
#include <vector>

namespace dltrain::vision {

struct Series {
  std::string label;
  std::vector<std::pair<double, double>> points;  // (x, y), drawn in order
  std::array<uint8_t, 3> bgr{0, 0, 0};
  bool dashed = false;
  bool lines = true;  // false: markers only (a scatter plot)
};

struct Panel {
  std::string title, x_label, y_label;
  std::vector<Series> series;
  bool whole_x = true;  // x ticks on whole numbers (epochs, trial numbers)
};

// Where a panel's data lands in the image: tests and callers map data to pixels with it.
struct PlotArea {
  int left = 0, top = 0, width = 0, height = 0;  // pixels, in the whole image
  double x_min = 0, x_max = 1, y_min = 0, y_max = 1;
  int px(double x) const;
  int py(double y) const;
};

// Draws the panels in one row and writes a PNG; returns each panel's plot area.
// Throws DataError when the file cannot be written.
std::vector<PlotArea> write_panels_png(const std::vector<Panel>& panels, const std::string& path);

// A qualitative palette (tab10) for telling runs apart.
std::array<uint8_t, 3> palette_color(size_t index);

}  // namespace dltrain::vision
