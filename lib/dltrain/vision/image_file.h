// Image files as model input: decoded with OpenCV, converted to the model's channels and
// resized to its height and width. No OpenCV types in the interface.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace dltrain::vision {

// True for the extensions read_image_file accepts (.png .jpg .jpeg .bmp, any case).
bool is_image_file(const std::string& path);

// Pixels as uint8 [channels, height, width] (channel-major, RGB order for 3 channels), resized
// with area interpolation when the size differs. channels: 1 or 3. DataError naming the file.
std::vector<uint8_t> read_image_file(const std::string& path, int64_t channels, int64_t height, int64_t width);

}  // namespace dltrain::vision
