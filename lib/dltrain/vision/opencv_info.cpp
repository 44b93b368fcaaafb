// OpenCV's own version string; OpenCV headers stay inside vision/.
#include "dltrain/vision/opencv_info.h"

#include <opencv2/core/version.hpp>

namespace dltrain::vision {

std::string opencv_version() { return CV_VERSION; }

}  // namespace dltrain::vision
