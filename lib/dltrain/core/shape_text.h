// Tensor shapes in messages and tables, written the way users write them in configs: [3, 32, 32].
#pragma once

#include <c10/util/ArrayRef.h>

#include <cstdint>
#include <string>

namespace dltrain {

std::string shape_text(c10::ArrayRef<int64_t> shape);

}  // namespace dltrain
