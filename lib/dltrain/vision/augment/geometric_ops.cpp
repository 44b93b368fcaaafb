// Ops that move pixels: sizes, crops, flips, rotations, affine and perspective warps.
// Coordinates follow OpenCV: x right, y down, the centre of an image at ((W-1)/2, (H-1)/2).
#include <cmath>
#include <opencv2/imgproc.hpp>

#include "dltrain/vision/augment/op_factories.h"

namespace dltrain::vision {
namespace {

constexpr double kPi = 3.14159265358979323846;

class Resize : public AugmentOp {
 public:
  Resize(int64_t h, int64_t w) : h_(h), w_(w) {}
  const char* name() const override { return "resize"; }
  std::vector<int64_t> output_shape(std::vector<int64_t> in) const override { return {in[0], h_, w_}; }
  void apply(cv::Mat& image, Draw&) const override {
    const bool shrink = w_ < image.cols && h_ < image.rows;
    cv::resize(image, image, cv::Size(static_cast<int>(w_), static_cast<int>(h_)), 0, 0,
               shrink ? cv::INTER_AREA : cv::INTER_LINEAR);
  }

 private:
  int64_t h_, w_;
};

class CenterCrop : public AugmentOp {
 public:
  CenterCrop(int64_t size, const std::string& path) : size_(size), path_(path) {}
  const char* name() const override { return "center_crop"; }
  std::vector<int64_t> output_shape(std::vector<int64_t> in) const override {
    if (in[1] < size_ || in[2] < size_) {
      throw ConfigError(path_ + ".size: " + std::to_string(size_) + " is larger than the " + std::to_string(in[1]) + "x" +
                        std::to_string(in[2]) + " images");
    }
    return {in[0], size_, size_};
  }
  void apply(cv::Mat& image, Draw&) const override {
    const int top = (image.rows - static_cast<int>(size_)) / 2, left = (image.cols - static_cast<int>(size_)) / 2;
    image = image(cv::Rect(left, top, static_cast<int>(size_), static_cast<int>(size_))).clone();
  }

 private:
  int64_t size_;
  std::string path_;
};

// Pads by `padding` on every side, then crops size x size at a random offset: a pixel at
// (x, y) lands at (x + padding - left, y + padding - top).
class RandomCrop : public AugmentOp {
 public:
  RandomCrop(int64_t size, int64_t padding, Border border, const std::string& path)
      : size_(size), padding_(padding), border_(border), path_(path) {}
  const char* name() const override { return "random_crop"; }
  std::vector<int64_t> output_shape(std::vector<int64_t> in) const override {
    if (in[1] + 2 * padding_ < size_ || in[2] + 2 * padding_ < size_) {
      throw ConfigError(path_ + ".size: " + std::to_string(size_) + " is larger than the padded " +
                        std::to_string(in[1] + 2 * padding_) + "x" + std::to_string(in[2] + 2 * padding_) + " images");
    }
    return {in[0], size_, size_};
  }
  void apply(cv::Mat& image, Draw& draw) const override {
    const int pad = static_cast<int>(padding_);
    if (pad > 0) cv::copyMakeBorder(image, image, pad, pad, pad, pad, border_.mode, cv::Scalar::all(border_.fill));
    const int top = static_cast<int>(draw.integer("top", 0, image.rows - size_));
    const int left = static_cast<int>(draw.integer("left", 0, image.cols - size_));
    image = image(cv::Rect(left, top, static_cast<int>(size_), static_cast<int>(size_))).clone();
  }

 private:
  int64_t size_, padding_;
  Border border_;
  std::string path_;
};

// A crop covering scale (of the area) and ratio (w/h) drawn at random, resized to size x size.
class RandomResizedCrop : public AugmentOp {
 public:
  RandomResizedCrop(int64_t size, double scale_min, double scale_max, double ratio_min, double ratio_max)
      : size_(size), scale_min_(scale_min), scale_max_(scale_max), ratio_min_(ratio_min), ratio_max_(ratio_max) {}
  const char* name() const override { return "random_resized_crop"; }
  std::vector<int64_t> output_shape(std::vector<int64_t> in) const override { return {in[0], size_, size_}; }
  void apply(cv::Mat& image, Draw& draw) const override {
    const double area = static_cast<double>(image.rows) * image.cols;
    int w = image.cols, h = image.rows;
    for (int attempt = 0; attempt < 10; ++attempt) {  // torchvision's rejection loop, centre crop as fallback
      const double target = area * draw.uniform(scale_min_, scale_max_);
      const double ratio = std::exp(draw.uniform(std::log(ratio_min_), std::log(ratio_max_)));
      const int cw = static_cast<int>(std::lround(std::sqrt(target * ratio)));
      const int ch = static_cast<int>(std::lround(std::sqrt(target / ratio)));
      if (cw > 0 && ch > 0 && cw <= image.cols && ch <= image.rows) {
        w = cw;
        h = ch;
        break;
      }
    }
    const int top = static_cast<int>(draw.integer("top", 0, image.rows - h));
    const int left = static_cast<int>(draw.integer("left", 0, image.cols - w));
    draw.note("width", std::to_string(w));
    draw.note("height", std::to_string(h));
    cv::resize(image(cv::Rect(left, top, w, h)), image, cv::Size(static_cast<int>(size_), static_cast<int>(size_)), 0, 0,
               cv::INTER_LINEAR);
  }

 private:
  int64_t size_;
  double scale_min_, scale_max_, ratio_min_, ratio_max_;
};

class Flip : public AugmentOp {
 public:
  explicit Flip(bool horizontal) : horizontal_(horizontal) {}
  const char* name() const override { return horizontal_ ? "hflip" : "vflip"; }
  void apply(cv::Mat& image, Draw&) const override { cv::flip(image, image, horizontal_ ? 1 : 0); }

 private:
  bool horizontal_;
};

// Affine warp about the image centre c: x' = c + t + R(angle) Sh(shear) S(scale) (x - c),
// angle counter-clockwise on screen (OpenCV/torchvision), shear along x in degrees.
class Affine : public AugmentOp {
 public:
  struct Ranges {
    double degrees = 0, translate = 0, scale_min = 1, scale_max = 1, shear = 0;
  };
  Affine(const char* name, Ranges ranges, Border border) : name_(name), ranges_(ranges), border_(border) {}
  const char* name() const override { return name_; }
  void apply(cv::Mat& image, Draw& draw) const override {
    const double angle = draw.uniform("angle", -ranges_.degrees, ranges_.degrees);
    double tx = 0, ty = 0, scale = 1, shear = 0;
    if (ranges_.translate > 0) {
      tx = draw.uniform("tx", -ranges_.translate * image.cols, ranges_.translate * image.cols);
      ty = draw.uniform("ty", -ranges_.translate * image.rows, ranges_.translate * image.rows);
    }
    if (ranges_.scale_min != 1 || ranges_.scale_max != 1) scale = draw.uniform("scale", ranges_.scale_min, ranges_.scale_max);
    if (ranges_.shear > 0) shear = draw.uniform("shear", -ranges_.shear, ranges_.shear);
    cv::warpAffine(image, image, affine_matrix(image.cols, image.rows, angle, tx, ty, scale, shear), image.size(),
                   border_.interpolation, border_.mode, cv::Scalar::all(border_.fill));
  }

  static cv::Mat affine_matrix(int w, int h, double angle, double tx, double ty, double scale, double shear) {
    const double a = angle * kPi / 180.0, s = std::tan(shear * kPi / 180.0);
    const double cx = (w - 1) / 2.0, cy = (h - 1) / 2.0;
    // R = [[cos, sin], [-sin, cos]] turns counter-clockwise on screen (y grows downwards).
    const double r00 = std::cos(a), r01 = std::sin(a), r10 = -std::sin(a), r11 = std::cos(a);
    // M = R * Sh * S with Sh = [[1, s], [0, 1]].
    const double m00 = scale * r00, m01 = scale * (r00 * s + r01), m10 = scale * r10, m11 = scale * (r10 * s + r11);
    cv::Mat m = (cv::Mat_<double>(2, 3) << m00, m01, cx + tx - m00 * cx - m01 * cy, m10, m11, cy + ty - m10 * cx - m11 * cy);
    return m;
  }

 private:
  const char* name_;
  Ranges ranges_;
  Border border_;
};

// Moves each corner inward by up to distortion x half the size, torchvision's RandomPerspective.
class Perspective : public AugmentOp {
 public:
  Perspective(double distortion, Border border) : distortion_(distortion), border_(border) {}
  const char* name() const override { return "perspective"; }
  void apply(cv::Mat& image, Draw& draw) const override {
    const float w = static_cast<float>(image.cols - 1), h = static_cast<float>(image.rows - 1);
    const float dx = static_cast<float>(distortion_ * image.cols / 2), dy = static_cast<float>(distortion_ * image.rows / 2);
    const cv::Point2f from[4] = {{0, 0}, {w, 0}, {w, h}, {0, h}};
    const float sx[4] = {1, -1, -1, 1}, sy[4] = {1, 1, -1, -1};
    const char* names[8] = {"x0", "y0", "x1", "y1", "x2", "y2", "x3", "y3"};
    cv::Point2f to[4];
    for (int i = 0; i < 4; ++i) {
      to[i] = {from[i].x + sx[i] * static_cast<float>(draw.uniform(names[2 * i], 0, dx)),
               from[i].y + sy[i] * static_cast<float>(draw.uniform(names[2 * i + 1], 0, dy))};
    }
    cv::warpPerspective(image, image, cv::getPerspectiveTransform(from, to), image.size(), border_.interpolation,
                        border_.mode, cv::Scalar::all(border_.fill));
  }

 private:
  double distortion_;
  Border border_;
};

int64_t size_option(OpOptions& options) {
  if (!options.has("size")) options.fail("size", "missing; expected the output size in pixels");
  return options.integer("size", 0, 1, 1 << 14);
}

}  // namespace

std::unique_ptr<AugmentOp> make_resize(OpOptions& options, bool) {
  if (!options.has("size") && !options.has("height"))
    options.fail("size", "missing; expected the output size (or height and width)");
  const int64_t size = options.integer("size", 0, 1, 1 << 14);
  const int64_t h = options.integer("height", size, 1, 1 << 14), w = options.integer("width", size > 0 ? size : h, 1, 1 << 14);
  return std::make_unique<Resize>(h, w);
}

std::unique_ptr<AugmentOp> make_center_crop(OpOptions& options, bool) {
  return std::make_unique<CenterCrop>(size_option(options), options.path());
}

std::unique_ptr<AugmentOp> make_random_crop(OpOptions& options, bool training) {
  const int64_t size = size_option(options);
  const int64_t padding = options.integer("padding", 0, 0, 1 << 12);
  const Border border = Border::read(options);
  if (!training) return std::make_unique<CenterCrop>(size, options.path());
  return std::make_unique<RandomCrop>(size, padding, border, options.path());
}

std::unique_ptr<AugmentOp> make_random_resized_crop(OpOptions& options, bool training) {
  const int64_t size = size_option(options);
  const double scale_min = options.number("scale_min", 0.08, 1e-3, 1), scale_max = options.number("scale_max", 1.0, scale_min, 1);
  const double ratio_min = options.number("ratio_min", 3.0 / 4, 0.05, 20), ratio_max = options.number("ratio_max", 4.0 / 3, ratio_min, 20);
  if (!training) return std::make_unique<Resize>(size, size);
  return std::make_unique<RandomResizedCrop>(size, scale_min, scale_max, ratio_min, ratio_max);
}

std::unique_ptr<AugmentOp> make_hflip(OpOptions&, bool training) {
  return training ? std::make_unique<Flip>(true) : nullptr;
}

std::unique_ptr<AugmentOp> make_vflip(OpOptions&, bool training) {
  return training ? std::make_unique<Flip>(false) : nullptr;
}

std::unique_ptr<AugmentOp> make_rotate(OpOptions& options, bool training) {
  Affine::Ranges ranges;
  ranges.degrees = options.number("degrees", 0, 0, 180);
  const Border border = Border::read(options);
  return training ? std::make_unique<Affine>("rotate", ranges, border) : nullptr;
}

std::unique_ptr<AugmentOp> make_affine(OpOptions& options, bool training) {
  Affine::Ranges ranges;
  ranges.degrees = options.number("degrees", 0, 0, 180);
  ranges.translate = options.number("translate", 0, 0, 1);
  ranges.scale_min = options.number("scale_min", 1, 0.01, 100);
  ranges.scale_max = options.number("scale_max", ranges.scale_min, ranges.scale_min, 100);
  ranges.shear = options.number("shear", 0, 0, 89);
  const Border border = Border::read(options);
  return training ? std::make_unique<Affine>("affine", ranges, border) : nullptr;
}

std::unique_ptr<AugmentOp> make_perspective(OpOptions& options, bool training) {
  const double distortion = options.number("distortion", 0.5, 0, 1);
  const Border border = Border::read(options);
  return training ? std::make_unique<Perspective>(distortion, border) : nullptr;
}

}  // namespace dltrain::vision
