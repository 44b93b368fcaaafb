// Policy ops: trivialaugment (one op of the list at a random magnitude) and randaugment (`n` ops
// at magnitude `magnitude` of 30), over torchvision's op list and magnitude ranges.
#include <algorithm>
#include <cmath>
#include <opencv2/imgproc.hpp>

#include "dltrain/vision/augment/op_factories.h"

namespace dltrain::vision {
namespace {

constexpr int kBins = 31;  // torchvision's num_magnitude_bins

enum class Kind { identity, shear_x, shear_y, translate_x, translate_y, rotate, brightness, color, contrast, sharpness,
                  posterize, solarize, autocontrast, equalize };
// Magnitude at the top bin for TrivialAugmentWide and for RandAugment (translate: pixels for the
// former, a fraction of the size for the latter; posterize: bits removed; solarize: 255 - threshold).
struct PolicyOp {
  const char* name;
  Kind kind;
  double wide_max, rand_max;
  bool signed_;  // a random sign is drawn
};
constexpr PolicyOp kPolicy[] = {
    {"identity", Kind::identity, 0, 0, false},
    {"shear_x", Kind::shear_x, 0.99, 0.3, true},
    {"shear_y", Kind::shear_y, 0.99, 0.3, true},
    {"translate_x", Kind::translate_x, 32, 150.0 / 331, true},
    {"translate_y", Kind::translate_y, 32, 150.0 / 331, true},
    {"rotate", Kind::rotate, 135, 30, true},
    {"brightness", Kind::brightness, 0.99, 0.9, true},
    {"color", Kind::color, 0.99, 0.9, true},
    {"contrast", Kind::contrast, 0.99, 0.9, true},
    {"sharpness", Kind::sharpness, 0.99, 0.9, true},
    {"posterize", Kind::posterize, 6, 4, false},
    {"solarize", Kind::solarize, 255, 255, false},
    {"autocontrast", Kind::autocontrast, 0, 0, false},
    {"equalize", Kind::equalize, 0, 0, false},
};

cv::Mat gray_of(const cv::Mat& image) {
  if (image.channels() == 1) return image.clone();
  cv::Mat gray;
  cv::cvtColor(image, gray, cv::COLOR_RGB2GRAY);
  return gray;
}

// out = degenerate + factor * (image - degenerate), saturating: PIL's ImageEnhance blend.
void blend(cv::Mat& image, const cv::Mat& degenerate, double factor) {
  cv::addWeighted(image, factor, degenerate, 1 - factor, 0, image);
}

void warp(cv::Mat& image, double m00, double m01, double m02, double m10, double m11, double m12) {
  const cv::Mat m = (cv::Mat_<double>(2, 3) << m00, m01, m02, m10, m11, m12);
  cv::warpAffine(image, image, m, image.size(), cv::INTER_NEAREST, cv::BORDER_CONSTANT, cv::Scalar::all(0));
}

void apply_policy_op(cv::Mat& image, Kind kind, double v) {
  switch (kind) {
    case Kind::identity: return;
    case Kind::shear_x: return warp(image, 1, v, 0, 0, 1, 0);
    case Kind::shear_y: return warp(image, 1, 0, 0, v, 1, 0);
    case Kind::translate_x: return warp(image, 1, 0, v, 0, 1, 0);
    case Kind::translate_y: return warp(image, 1, 0, 0, 0, 1, v);
    case Kind::rotate: {
      const cv::Mat m = cv::getRotationMatrix2D(cv::Point2f((image.cols - 1) / 2.0f, (image.rows - 1) / 2.0f), v, 1.0);
      cv::warpAffine(image, image, m, image.size(), cv::INTER_NEAREST, cv::BORDER_CONSTANT, cv::Scalar::all(0));
      return;
    }
    case Kind::brightness: return blend(image, cv::Mat::zeros(image.size(), image.type()), 1 + v);
    case Kind::color: {
      if (image.channels() != 3) return;
      cv::Mat gray;
      cv::cvtColor(gray_of(image), gray, cv::COLOR_GRAY2RGB);
      return blend(image, gray, 1 + v);
    }
    case Kind::contrast: {
      const cv::Mat mean(image.size(), image.type(), cv::Scalar::all(std::round(cv::mean(gray_of(image))[0])));
      return blend(image, mean, 1 + v);
    }
    case Kind::sharpness: {
      const cv::Mat kernel = (cv::Mat_<float>(3, 3) << 1, 1, 1, 1, 5, 1, 1, 1, 1) / 13.0f;
      cv::Mat smooth;
      cv::filter2D(image, smooth, -1, kernel, cv::Point(-1, -1), 0, cv::BORDER_REPLICATE);
      return blend(image, smooth, 1 + v);
    }
    case Kind::posterize: {
      const int removed = static_cast<int>(std::lround(v));
      const uint8_t mask = static_cast<uint8_t>(~((1 << removed) - 1));
      image &= cv::Scalar::all(mask);
      return;
    }
    case Kind::solarize: {
      cv::Mat inverted = cv::Scalar::all(255) - image, high;
      cv::compare(image, cv::Scalar::all(255 - v), high, cv::CMP_GE);  // invert pixels >= the threshold 255 - v
      if (image.channels() == 3) cv::cvtColor(high, high, cv::COLOR_RGB2GRAY);  // a pixel is inverted whole
      high = high > 0;
      inverted.copyTo(image, high);
      return;
    }
    case Kind::autocontrast: {
      std::vector<cv::Mat> planes;
      cv::split(image, planes);
      for (auto& plane : planes) cv::normalize(plane, plane, 0, 255, cv::NORM_MINMAX);
      cv::merge(planes, image);
      return;
    }
    case Kind::equalize: {
      std::vector<cv::Mat> planes;
      cv::split(image, planes);
      for (auto& plane : planes) cv::equalizeHist(plane, plane);
      cv::merge(planes, image);
      return;
    }
  }
}

class PolicyAugment : public AugmentOp {
 public:
  PolicyAugment(bool trivial, int64_t n, int64_t magnitude) : trivial_(trivial), n_(n), magnitude_(magnitude) {}
  const char* name() const override { return trivial_ ? "trivialaugment" : "randaugment"; }
  void apply(cv::Mat& image, Draw& draw) const override {
    const int64_t count = trivial_ ? 1 : n_;
    for (int64_t i = 0; i < count; ++i) {
      const auto& op = kPolicy[static_cast<size_t>(draw.uniform(0, static_cast<double>(std::size(kPolicy))))];
      draw.note("op", op.name);
      const int64_t bin = trivial_ ? draw.integer("bin", 0, kBins - 1) : magnitude_;
      double value = (trivial_ ? op.wide_max : op.rand_max) * static_cast<double>(bin) / (kBins - 1);
      if (!trivial_ && op.kind == Kind::translate_x) value *= image.cols;
      if (!trivial_ && op.kind == Kind::translate_y) value *= image.rows;
      if (op.signed_ && draw.uniform(0, 1) < 0.5) value = -value;
      apply_policy_op(image, op.kind, value);
    }
  }

 private:
  bool trivial_;
  int64_t n_, magnitude_;
};

}  // namespace

std::unique_ptr<AugmentOp> make_trivialaugment(OpOptions&, bool training) {
  return training ? std::make_unique<PolicyAugment>(true, 1, 0) : nullptr;
}

std::unique_ptr<AugmentOp> make_randaugment(OpOptions& options, bool training) {
  const int64_t n = options.integer("n", 2, 1, 10), magnitude = options.integer("magnitude", 9, 0, kBins - 1);
  return training ? std::make_unique<PolicyAugment>(false, n, magnitude) : nullptr;
}

}  // namespace dltrain::vision
