// The seam between the loader (data) and image augmentation (vision, OpenCV): data knows only
// this interface and the factory type, so it builds without OpenCV.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <vector>

namespace dltrain::config {
struct LayerConfig;
}

namespace dltrain::data {

// A per-sample image transform on uint8 CHW pixels. `apply` draws all its randomness from a
// generator seeded by `seed`, so a sample's result depends on nothing else (not on the thread).
class SampleTransform {
 public:
  virtual ~SampleTransform() = default;
  // [C, H, W] of the output for an input of `input` [C, H, W].
  virtual std::vector<int64_t> output_shape(const std::vector<int64_t>& input) const = 0;
  virtual void apply(const uint8_t* in, const std::vector<int64_t>& in_shape, uint8_t* out, uint64_t seed) const = 0;
};

// Builds the pipeline for data.augment: training = every op; evaluation = only the
// deterministic ones (resize, crops made central), so shapes match. Throws ConfigError for bad ops.
using TransformFactory = std::function<std::shared_ptr<const SampleTransform>(
    const std::vector<config::LayerConfig>& ops, bool training)>;

// png, jpg, jpeg, bmp or webp, by extension in any case: the files image folders and predict read.
bool is_image_file(const std::string& path);

// One decoded image, uint8 CHW (RGB order for colour).
struct DecodedImage {
  int64_t channels = 0, height = 0, width = 0;
  std::vector<uint8_t> pixels;
};

// Reads an image file as `channels` (1 or 3; 0 = 1 for grayscale files, else 3), resized to
// height x width (0 = as stored). Throws DataError naming the path if it cannot be decoded.
using ImageDecoder =
    std::function<DecodedImage(const std::string& path, int64_t channels, int64_t height, int64_t width)>;

// What the image formats and augmentation need from an image library; empty members mean this
// build has none (DLTRAIN_WITH_VISION=OFF), and configs that need them are refused.
struct ImageSupport {
  ImageDecoder decode;
  TransformFactory transforms;
};

}  // namespace dltrain::data
