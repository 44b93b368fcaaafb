// Ops that change pixel values in place: colour, blur, noise and erasing.
#include <algorithm>
#include <cmath>
#include <opencv2/imgproc.hpp>

#include "dltrain/vision/augment/op_factories.h"

namespace dltrain::vision {
namespace {

// Brightness, contrast and saturation factors drawn from [1 - x, 1 + x], hue shift from
// [-hue, hue] (a fraction of the colour circle); applied in torchvision's order.
class ColorJitter : public AugmentOp {
 public:
  ColorJitter(double brightness, double contrast, double saturation, double hue)
      : brightness_(brightness), contrast_(contrast), saturation_(saturation), hue_(hue) {}
  const char* name() const override { return "color_jitter"; }
  void apply(cv::Mat& image, Draw& draw) const override {
    if (brightness_ > 0) image.convertTo(image, -1, draw.uniform("brightness", 1 - brightness_, 1 + brightness_), 0);
    if (contrast_ > 0) {
      const double factor = draw.uniform("contrast", 1 - contrast_, 1 + contrast_);
      const double mean = cv::mean(gray_of(image))[0];
      image.convertTo(image, -1, factor, (1 - factor) * mean);
    }
    if (image.channels() != 3) return;
    if (saturation_ > 0) {
      const double factor = draw.uniform("saturation", 1 - saturation_, 1 + saturation_);
      cv::Mat gray;
      cv::cvtColor(gray_of(image), gray, cv::COLOR_GRAY2RGB);
      cv::addWeighted(image, factor, gray, 1 - factor, 0, image);
    }
    if (hue_ > 0) {
      const double shift = draw.uniform("hue", -hue_, hue_);
      cv::Mat hsv;
      cv::cvtColor(image, hsv, cv::COLOR_RGB2HSV_FULL);
      const int delta = static_cast<int>(std::lround(shift * 256));
      for (int y = 0; y < hsv.rows; ++y) {
        auto* row = hsv.ptr<cv::Vec3b>(y);
        for (int x = 0; x < hsv.cols; ++x) row[x][0] = static_cast<uint8_t>((row[x][0] + delta + 256) & 255);
      }
      cv::cvtColor(hsv, image, cv::COLOR_HSV2RGB_FULL);
    }
  }

 private:
  static cv::Mat gray_of(const cv::Mat& image) {
    if (image.channels() == 1) return image;
    cv::Mat gray;
    cv::cvtColor(image, gray, cv::COLOR_RGB2GRAY);
    return gray;
  }
  double brightness_, contrast_, saturation_, hue_;
};

// Luma in every channel, so the channel count (and the model's input) stays the same.
class Grayscale : public AugmentOp {
 public:
  const char* name() const override { return "grayscale"; }
  void apply(cv::Mat& image, Draw&) const override {
    if (image.channels() != 3) return;
    cv::Mat gray;
    cv::cvtColor(image, gray, cv::COLOR_RGB2GRAY);
    cv::cvtColor(gray, image, cv::COLOR_GRAY2RGB);
  }
};

class GaussianBlur : public AugmentOp {
 public:
  GaussianBlur(int kernel, double sigma_min, double sigma_max) : kernel_(kernel), sigma_min_(sigma_min), sigma_max_(sigma_max) {}
  const char* name() const override { return "gaussian_blur"; }
  void apply(cv::Mat& image, Draw& draw) const override {
    const double sigma = draw.uniform("sigma", sigma_min_, sigma_max_);
    cv::GaussianBlur(image, image, cv::Size(kernel_, kernel_), sigma, sigma, cv::BORDER_REFLECT_101);
  }

 private:
  int kernel_;
  double sigma_min_, sigma_max_;
};

// Adds N(0, std^2) noise in pixel units (0..255), per pixel and channel, saturating.
class GaussianNoise : public AugmentOp {
 public:
  explicit GaussianNoise(double std) : std_(std) {}
  const char* name() const override { return "gaussian_noise"; }
  void apply(cv::Mat& image, Draw& draw) const override {
    const int values = image.cols * image.channels();
    for (int y = 0; y < image.rows; ++y) {
      uint8_t* row = image.ptr<uint8_t>(y);
      for (int i = 0; i < values; ++i) {
        // Box-Muller from our own uniform draws: portable across standard libraries.
        const double u1 = std::max(draw.uniform(0, 1), 1e-12), u2 = draw.uniform(0, 1);
        const double noise = std::sqrt(-2 * std::log(u1)) * std::cos(2 * 3.14159265358979323846 * u2) * std_;
        row[i] = cv::saturate_cast<uint8_t>(row[i] + noise);
      }
    }
  }

 private:
  double std_;
};

// Random erasing / cutout: a rectangle of scale (area fraction) and ratio (h/w) set to `fill`
// (mode: fill) or to uniform noise (mode: noise).
class RandomErasing : public AugmentOp {
 public:
  RandomErasing(double scale_min, double scale_max, double ratio_min, double ratio_max, int value)
      : scale_min_(scale_min), scale_max_(scale_max), ratio_min_(ratio_min), ratio_max_(ratio_max), value_(value) {}
  const char* name() const override { return "random_erasing"; }
  void apply(cv::Mat& image, Draw& draw) const override {
    const double area = static_cast<double>(image.rows) * image.cols;
    for (int attempt = 0; attempt < 10; ++attempt) {
      const double target = area * draw.uniform(scale_min_, scale_max_);
      const double ratio = std::exp(draw.uniform(std::log(ratio_min_), std::log(ratio_max_)));
      const int h = static_cast<int>(std::lround(std::sqrt(target * ratio)));
      const int w = static_cast<int>(std::lround(std::sqrt(target / ratio)));
      if (h < 1 || w < 1 || h > image.rows || w > image.cols) continue;
      const int top = static_cast<int>(draw.integer("top", 0, image.rows - h));
      const int left = static_cast<int>(draw.integer("left", 0, image.cols - w));
      draw.note("height", std::to_string(h));
      draw.note("width", std::to_string(w));
      cv::Mat region = image(cv::Rect(left, top, w, h));
      if (value_ >= 0) {
        region.setTo(cv::Scalar::all(value_));
      } else {
        for (int y = 0; y < h; ++y) {
          uint8_t* row = region.ptr<uint8_t>(y);
          for (int i = 0; i < w * image.channels(); ++i) row[i] = static_cast<uint8_t>(draw.uniform(0, 256));
        }
      }
      return;
    }
  }

 private:
  double scale_min_, scale_max_, ratio_min_, ratio_max_;
  int value_;
};

}  // namespace

std::unique_ptr<AugmentOp> make_color_jitter(OpOptions& options, bool training) {
  const double brightness = options.number("brightness", 0, 0, 1), contrast = options.number("contrast", 0, 0, 1);
  const double saturation = options.number("saturation", 0, 0, 1), hue = options.number("hue", 0, 0, 0.5);
  return training ? std::make_unique<ColorJitter>(brightness, contrast, saturation, hue) : nullptr;
}

std::unique_ptr<AugmentOp> make_grayscale(OpOptions&, bool training) {
  return training ? std::make_unique<Grayscale>() : nullptr;
}

std::unique_ptr<AugmentOp> make_gaussian_blur(OpOptions& options, bool training) {
  const int64_t kernel = options.integer("kernel_size", 3, 1, 99);
  if (kernel % 2 == 0) options.fail("kernel_size", "expected an odd number of pixels, got " + std::to_string(kernel));
  const double sigma_min = options.number("sigma_min", 0.1, 0.01, 100);
  const double sigma_max = options.number("sigma_max", 2.0, sigma_min, 100);
  return training ? std::make_unique<GaussianBlur>(static_cast<int>(kernel), sigma_min, sigma_max) : nullptr;
}

std::unique_ptr<AugmentOp> make_gaussian_noise(OpOptions& options, bool training) {
  const double std = options.number("std", 10, 0, 255);
  return training ? std::make_unique<GaussianNoise>(std) : nullptr;
}

std::unique_ptr<AugmentOp> make_random_erasing(OpOptions& options, bool training) {
  const double scale_min = options.number("scale_min", 0.02, 1e-4, 1), scale_max = options.number("scale_max", 0.33, scale_min, 1);
  const double ratio_min = options.number("ratio_min", 0.3, 0.05, 20), ratio_max = options.number("ratio_max", 3.3, ratio_min, 20);
  const bool noise = options.choice("mode", "fill", {"fill", "noise"}) == "noise";
  const int fill = static_cast<int>(options.integer("fill", 0, 0, 255));
  if (!training) return nullptr;
  return std::make_unique<RandomErasing>(scale_min, scale_max, ratio_min, ratio_max, noise ? -1 : fill);
}

}  // namespace dltrain::vision
