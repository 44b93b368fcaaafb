// mat_layout: CHW sample buffers to OpenCV's interleaved HWC Mats and back, channel by channel,
// also from a cropped (non-continuous) Mat, as the augment ops leave them.
#include <catch2/catch.hpp>

#include <cstdint>
#include <vector>

#include "dltrain/vision/mat_layout.h"

using namespace dltrain;

namespace {

// A distinct value per (channel, row, column).
std::vector<uint8_t> numbered_chw(int c, int h, int w) {
  std::vector<uint8_t> chw(static_cast<size_t>(c * h * w));
  for (size_t i = 0; i < chw.size(); ++i) chw[i] = static_cast<uint8_t>(i * 7 + 3);
  return chw;
}

}  // namespace

TEST_CASE("to_mat interleaves the channel planes and to_chw takes them apart again") {
  for (const int channels : {1, 3, 4}) {
    CAPTURE(channels);
    const int h = 5, w = 6;
    const auto chw = numbered_chw(channels, h, w);
    const cv::Mat mat = vision::to_mat(chw.data(), {channels, h, w});
    REQUIRE(mat.channels() == channels);
    REQUIRE(mat.rows == h);
    REQUIRE(mat.cols == w);
    for (int y = 0; y < h; ++y)
      for (int x = 0; x < w; ++x)
        for (int k = 0; k < channels; ++k) CHECK(mat.ptr<uint8_t>(y)[x * channels + k] == chw[(k * h + y) * w + x]);
    std::vector<uint8_t> back(chw.size(), 0);
    vision::to_chw(mat, back.data());
    CHECK(back == chw);
  }
}

TEST_CASE("to_chw reads a crop of a larger image, whose rows are not contiguous") {
  const int channels = 3, h = 6, w = 8;
  const auto chw = numbered_chw(channels, h, w);
  const cv::Mat crop = vision::to_mat(chw.data(), {channels, h, w})(cv::Rect(2, 1, 4, 3));  // x, y, width, height
  REQUIRE_FALSE(crop.isContinuous());
  std::vector<uint8_t> out(static_cast<size_t>(channels * 3 * 4), 0);
  vision::to_chw(crop, out.data());
  for (int k = 0; k < channels; ++k)
    for (int y = 0; y < 3; ++y)
      for (int x = 0; x < 4; ++x) CHECK(out[(k * 3 + y) * 4 + x] == chw[(k * h + y + 1) * w + x + 2]);
}
