// Image files through OpenCV: decoding for the image formats, PNG writing for synthesis output.
#pragma once

#include <cstdint>
#include <string>

#include "dltrain/data/sample_transform.h"

namespace dltrain::vision {

// png/jpg/bmp/webp as `channels` (1 or 3; 0 = 1 for grayscale files, else 3), resized with area
// interpolation to height x width (0 = as stored). Throws DataError naming the path.
data::DecodedImage read_image_file(const std::string& path, int64_t channels, int64_t height, int64_t width);

// Writes uint8 CHW pixels as a PNG (RGB order for 3 channels). Throws DataError on failure.
void write_png(const std::string& path, const data::DecodedImage& image);

// The decoder and augmentation factory the data module needs, backed by OpenCV.
data::ImageSupport image_support();

}  // namespace dltrain::vision
