// uint8 CHW buffers <-> HWC cv::Mat (vision-internal: the one header outside .cpp files that
// names OpenCV types; public vision headers carry none).
#pragma once

#include <cstdint>
#include <opencv2/core.hpp>
#include <vector>

#include "dltrain/data/sample_transform.h"

namespace dltrain::vision {

cv::Mat to_mat(const uint8_t* chw, const std::vector<int64_t>& shape);
void to_chw(const cv::Mat& hwc, uint8_t* out);
data::DecodedImage from_mat(const cv::Mat& hwc);

}  // namespace dltrain::vision
