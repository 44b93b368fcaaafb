// `dltrain explain` pictures: an attribution map as a jet-coloured heat map blended over the
// input image, scaled up so small inputs (28x28) stay visible.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace dltrain::vision {

// `image`: uint8 [channels, height, width] (1 or 3 channels, RGB); `map`: height*width values,
// row-major, any range (min-max scaled to [0, 1] for colouring). Writes a PNG of
// (width*scale) x (height*scale): the image with the map blended at `alpha`.
void write_heat_map_overlay(const std::vector<uint8_t>& image, int64_t channels, int64_t height, int64_t width,
                            const std::vector<float>& map, const std::string& path, int scale = 8,
                            double alpha = 0.5);

}  // namespace dltrain::vision
