// The --version text: dltrain, LibTorch and (when built) OpenCV versions.
#pragma once

#include <string>

namespace dltrain::app {

std::string version_text();

}  // namespace dltrain::app
