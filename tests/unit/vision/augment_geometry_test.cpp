// Augment ops move pixels where their math says: a marked pixel (or the centroid of a marked
// block) is followed through flips, crops, rotations and affine warps using the parameters the
// op recorded; p = 0 is the identity; the same seed gives the same image.
#include <catch2/catch.hpp>

#include <algorithm>
#include <cmath>
#include <cstdlib>

#include "dltrain/config/experiment_config.h"
#include "dltrain/core/error.h"
#include "dltrain/vision/augmentation.h"

using namespace dltrain;
using Catch::Matchers::Contains;

namespace {

constexpr double kPi = 3.14159265358979323846;

config::LayerConfig op(const std::string& name, std::vector<std::pair<std::string, std::string>> options = {}) {
  return {name, std::move(options), {}};
}

struct Image {
  std::vector<int64_t> shape;  // [C, H, W]
  std::vector<uint8_t> pixels;
  uint8_t at(int64_t x, int64_t y) const { return pixels[y * shape[2] + x]; }
};

Image marked(int64_t h, int64_t w, int64_t x, int64_t y, int64_t radius = 0) {
  Image image{{1, h, w}, std::vector<uint8_t>(h * w, 0)};
  for (int64_t dy = -radius; dy <= radius; ++dy)
    for (int64_t dx = -radius; dx <= radius; ++dx) image.pixels[(y + dy) * w + x + dx] = 255;
  return image;
}

Image run(const std::vector<config::LayerConfig>& ops, const Image& in, uint64_t seed, std::string* record = nullptr,
          bool training = true) {
  auto pipeline = vision::build_augmentation(ops, training);
  Image out{pipeline->output_shape(in.shape), {}};
  out.pixels.resize(out.shape[0] * out.shape[1] * out.shape[2]);
  pipeline->apply_recorded(in.pixels.data(), in.shape, out.pixels.data(), seed, record);
  return out;
}

double recorded(const std::string& record, const std::string& name) {
  const auto at = record.find(name + "=");
  REQUIRE(at != std::string::npos);
  return std::strtod(record.c_str() + at + name.size() + 1, nullptr);
}

std::pair<double, double> centroid(const Image& image) {
  double sx = 0, sy = 0, total = 0;
  for (int64_t y = 0; y < image.shape[1]; ++y)
    for (int64_t x = 0; x < image.shape[2]; ++x) {
      sx += x * image.at(x, y);
      sy += y * image.at(x, y);
      total += image.at(x, y);
    }
  REQUIRE(total > 0);
  return {sx / total, sy / total};
}

}  // namespace

TEST_CASE("hflip and vflip mirror a marked pixel") {
  const auto in = marked(6, 8, 1, 2);
  const auto h = run({op("hflip")}, in, 1), v = run({op("vflip")}, in, 1);
  CHECK(h.at(8 - 1 - 1, 2) == 255);
  CHECK(v.at(1, 6 - 1 - 2) == 255);
}

TEST_CASE("random_crop with padding moves a pixel by padding minus the drawn offset") {
  const auto in = marked(12, 12, 5, 7);
  for (uint64_t seed : {1u, 2u, 3u, 4u}) {
    std::string record;
    const auto out = run({op("random_crop", {{"size", "10"}, {"padding", "3"}})}, in, seed, &record);
    REQUIRE(out.shape == std::vector<int64_t>{1, 10, 10});
    const auto top = static_cast<int64_t>(recorded(record, "top")), left = static_cast<int64_t>(recorded(record, "left"));
    const int64_t x = 5 + 3 - left, y = 7 + 3 - top;
    if (x >= 0 && x < 10 && y >= 0 && y < 10) CHECK(out.at(x, y) == 255);
  }
}

TEST_CASE("rotate turns a marked block about the centre by the drawn angle, counter-clockwise") {
  const auto in = marked(31, 31, 22, 15, 1);
  for (uint64_t seed : {5u, 6u, 7u}) {
    std::string record;
    const auto out = run({op("rotate", {{"degrees", "90"}})}, in, seed, &record);
    const double a = recorded(record, "angle") * kPi / 180, c = 15, dx = 22 - c, dy = 15 - c;
    const auto [x, y] = centroid(out);
    CHECK(x == Approx(c + std::cos(a) * dx + std::sin(a) * dy).margin(0.3));
    CHECK(y == Approx(c - std::sin(a) * dx + std::cos(a) * dy).margin(0.3));
  }
  // A zero range draws angle 0: the block stays put.
  const auto still = run({op("rotate", {{"degrees", "0"}})}, in, 1);
  CHECK(centroid(still).first == Approx(22).margin(1e-6));
}

TEST_CASE("affine applies translate, scale and shear as x' = c + t + R Sh S (x - c)") {
  const auto in = marked(41, 41, 26, 14, 1);
  for (uint64_t seed : {11u, 12u, 13u}) {
    std::string record;
    const auto out = run({op("affine", {{"degrees", "30"}, {"translate", "0.1"}, {"scale_min", "0.8"},
                                        {"scale_max", "1.2"}, {"shear", "10"}})},
                         in, seed, &record);
    const double a = recorded(record, "angle") * kPi / 180, s = recorded(record, "scale");
    const double sh = std::tan(recorded(record, "shear") * kPi / 180);
    const double tx = recorded(record, "tx"), ty = recorded(record, "ty"), c = 20;
    // Shear then rotate, on the scaled offset from the centre.
    const double ux = s * ((26 - c) + sh * (14 - c)), uy = s * (14 - c);
    const double ex = c + tx + std::cos(a) * ux + std::sin(a) * uy;
    const double ey = c + ty - std::sin(a) * ux + std::cos(a) * uy;
    const auto [x, y] = centroid(out);
    CHECK(x == Approx(ex).margin(0.4));
    CHECK(y == Approx(ey).margin(0.4));
  }
}

TEST_CASE("ops with p = 0 leave the image unchanged, p = 1 always applies") {
  Image in{{3, 9, 7}, {}};
  for (int i = 0; i < 3 * 9 * 7; ++i) in.pixels.push_back(static_cast<uint8_t>(i * 37));
  const std::vector<config::LayerConfig> ops = {
      op("hflip", {{"p", "0"}}), op("rotate", {{"degrees", "40"}, {"p", "0"}}),
      op("color_jitter", {{"brightness", "0.5"}, {"hue", "0.2"}, {"p", "0"}}), op("gaussian_noise", {{"p", "0"}}),
      op("random_erasing", {{"p", "0"}}), op("perspective", {{"p", "0"}})};
  for (uint64_t seed : {1u, 2u, 3u}) CHECK(run(ops, in, seed).pixels == in.pixels);
  const auto flipped = run({op("hflip", {{"p", "1"}})}, in, 9);
  CHECK(flipped.pixels[0] == in.pixels[6]);
}

TEST_CASE("the same seed gives the same image, another seed another image") {
  Image in{{3, 16, 16}, {}};
  for (int i = 0; i < 3 * 16 * 16; ++i) in.pixels.push_back(static_cast<uint8_t>((i * 7) % 251));
  const std::vector<config::LayerConfig> ops = {
      op("random_resized_crop", {{"size", "12"}}), op("hflip", {{"p", "0.5"}}),
      op("affine", {{"degrees", "15"}, {"translate", "0.1"}}), op("perspective", {{"distortion", "0.3"}}),
      op("color_jitter", {{"brightness", "0.3"}, {"contrast", "0.3"}, {"saturation", "0.3"}, {"hue", "0.1"}}),
      op("grayscale", {{"p", "0.2"}}), op("gaussian_blur", {{"kernel_size", "3"}}), op("gaussian_noise", {{"std", "5"}}),
      op("random_erasing", {{"mode", "noise"}}), op("trivialaugment"), op("randaugment", {{"n", "2"}})};
  std::string first, again;
  const auto a = run(ops, in, 42, &first), b = run(ops, in, 42, &again), c = run(ops, in, 43);
  CHECK(a.shape == std::vector<int64_t>{3, 12, 12});
  CHECK(a.pixels == b.pixels);
  CHECK(first == again);
  CHECK(a.pixels != c.pixels);
}

TEST_CASE("randaugment applies n policy ops at its magnitude, trivialaugment one at a drawn bin") {
  Image in{{3, 8, 8}, std::vector<uint8_t>(3 * 64, 120)};
  std::string rand, trivial;
  run({op("randaugment", {{"n", "3"}, {"magnitude", "12"}})}, in, 4, &rand);
  run({op("trivialaugment")}, in, 4, &trivial);
  CHECK(std::count(rand.begin(), rand.end(), '=') == 3);
  CHECK(rand.rfind("randaugment(op=", 0) == 0);
  CHECK(trivial.find("trivialaugment(op=") == 0);
  CHECK(trivial.find(", bin=") != std::string::npos);
}

TEST_CASE("evaluation keeps only deterministic ops: random_crop becomes a centre crop, flips go") {
  const auto in = marked(20, 20, 4, 6);
  const std::vector<config::LayerConfig> ops = {op("random_crop", {{"size", "16"}, {"padding", "2"}}), op("hflip"),
                                                op("rotate", {{"degrees", "30"}})};
  std::string record;
  const auto out = run(ops, in, 5, &record, /*training=*/false);
  CHECK(out.shape == std::vector<int64_t>{1, 16, 16});
  CHECK(out.at(4 - 2, 6 - 2) == 255);
  CHECK(record == "center_crop()");
}

TEST_CASE("bad augment ops are config errors naming the list element and option") {
  CHECK_THROWS_WITH(vision::build_augmentation({op("hflip"), op("twirl")}, true),
                    Contains("data.augment[1].op: unknown op \"twirl\"; expected one of resize,"));
  CHECK_THROWS_WITH(vision::build_augmentation({op("rotate", {{"degrees", "lots"}})}, true),
                    Contains("data.augment[0].degrees: expected a number in [0, 180], got \"lots\""));
  CHECK_THROWS_WITH(vision::build_augmentation({op("hflip", {{"angle", "3"}})}, true),
                    Contains("data.augment[0].angle: not an option of hflip"));
  CHECK_THROWS_WITH(vision::build_augmentation({op("resize", {{"size", "8"}, {"p", "0.5"}})}, true),
                    Contains("data.augment[0].p: must be 1 for resize"));
  CHECK_THROWS_AS(vision::build_augmentation({op("random_crop")}, true), ConfigError);
}
