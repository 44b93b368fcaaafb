#include "dltrain/core/shape_text.h"

namespace dltrain {

std::string shape_text(c10::ArrayRef<int64_t> shape) {
  std::string text = "[";
  for (size_t i = 0; i < shape.size(); ++i) text += (i ? ", " : "") + std::to_string(shape[i]);
  return text + "]";
}

}  // namespace dltrain
