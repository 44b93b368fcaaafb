// Version strings reported by --version and recorded in summary.json and checkpoints.
#pragma once

#include <string>

namespace dltrain {

std::string dltrain_version();
std::string libtorch_version();
bool built_with_cuda();

}  // namespace dltrain
