// What the vision module was built with (reported by --version).
#pragma once

#include <string>

namespace dltrain::vision {

std::string opencv_version();

}  // namespace dltrain::vision
