// The PNGs are real pictures: expected sizes, curve pixels where the data says, heat-map cells
// coloured by their row share.
#include <catch2/catch.hpp>

#include <opencv2/imgcodecs.hpp>

#include "dltrain/vision/confusion_matrix_image.h"
#include "dltrain/vision/training_curves.h"
#include "temp_dir.h"

using namespace dltrain;

namespace {

// True when a pixel within `radius` of (x, y) is close to `bgr` (lines are anti-aliased).
bool color_near(const cv::Mat& image, int x, int y, std::array<uint8_t, 3> bgr, int radius = 2) {
  for (int dy = -radius; dy <= radius; ++dy) {
    for (int dx = -radius; dx <= radius; ++dx) {
      const auto& p = image.at<cv::Vec3b>(y + dy, x + dx);
      if (std::abs(p[0] - bgr[0]) + std::abs(p[1] - bgr[1]) + std::abs(p[2] - bgr[2]) < 40) return true;
    }
  }
  return false;
}

}  // namespace

TEST_CASE("training curves: three panels, each run's points drawn in its colour where the data says") {
  TempDir tmp;
  vision::RunCurves a{"a", {{"train/loss", {{1, 2.0}, {2, 1.0}, {3, 0.5}}},
                            {"val/loss", {{1, 2.2}, {2, 1.4}, {3, 1.1}}},
                            {"train/accuracy", {{1, 0.3}, {2, 0.6}, {3, 0.8}}},
                            {"lr", {{1, 0.1}, {2, 0.05}, {3, 0.01}}}}};
  vision::RunCurves b{"b", {{"train/loss", {{1, 1.5}, {2, 1.2}, {3, 0.9}}}}};
  const std::string path = tmp.path + "/curves.png";
  const auto areas = vision::write_training_curves_png({a, b}, path);
  const cv::Mat image = cv::imread(path, cv::IMREAD_COLOR);
  REQUIRE(!image.empty());
  REQUIRE(areas.size() == 3);
  CHECK(image.cols == 3 * 520);
  CHECK(image.rows > 400);

  const auto& loss = areas[0];
  CHECK(loss.x_min <= 1.0);
  CHECK(loss.x_max >= 3.0);
  for (const auto& [x, y] : a.metrics["train/loss"]) CHECK(color_near(image, loss.px(x), loss.py(y), vision::palette_color(0)));
  for (const auto& [x, y] : b.metrics["train/loss"]) CHECK(color_near(image, loss.px(x), loss.py(y), vision::palette_color(1)));
  // The midpoint of a segment is on the line too, and a place with no data is background.
  CHECK(color_near(image, (loss.px(1) + loss.px(2)) / 2, (loss.py(2.0) + loss.py(1.0)) / 2, vision::palette_color(0)));
  CHECK_FALSE(color_near(image, loss.px(3), loss.py(2.0), vision::palette_color(0), 1));
  const auto& lr = areas[2];
  CHECK(color_near(image, lr.px(2), lr.py(0.05), vision::palette_color(0)));
}

TEST_CASE("confusion matrix heat map: one cell per class pair, the dominant cell in the bright colour") {
  TempDir tmp;
  const std::vector<std::string> names = {"cat", "dog", "bird"};
  const std::vector<int64_t> confusion = {50, 0, 0,  //
                                          5, 40, 5,  //
                                          0, 25, 25};
  const std::string path = tmp.path + "/confusion.png";
  const auto layout = vision::write_confusion_matrix_png(confusion, names, "test", path);
  const cv::Mat image = cv::imread(path, cv::IMREAD_COLOR);
  REQUIRE(!image.empty());
  CHECK(image.cols == layout.width);
  CHECK(image.rows == layout.height);
  const auto corner = [&](int row, int column) {  // a cell pixel away from its count text
    return image.at<cv::Vec3b>(layout.top + row * layout.cell + 3, layout.left + column * layout.cell + 3);
  };
  const auto brightness = [](const cv::Vec3b& p) { return p[0] + p[1] + p[2]; };
  CHECK(brightness(corner(0, 0)) > brightness(corner(1, 1)));  // share 1.0 vs 0.8
  CHECK(brightness(corner(1, 1)) > brightness(corner(2, 1)));  // 0.8 vs 0.5
  CHECK(corner(2, 1) == corner(2, 2));                         // equal shares, equal colours
  CHECK(corner(0, 1) == corner(0, 2));                         // zeros
  CHECK(brightness(corner(0, 1)) < brightness(corner(2, 1)));
}
