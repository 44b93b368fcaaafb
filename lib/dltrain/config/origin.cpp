// Formats positions the way compilers do, so editors and terminals can jump to them.
#include "dltrain/config/origin.h"

#include "dltrain/core/error.h"

#include <fmt/format.h>

namespace dltrain::config {

std::string Origin::text() const {
  if (line < 0 || column < 0) return source;
  return fmt::format("{}:{}:{}", source, line + 1, column + 1);
}

void fail(const Origin& where, const std::string& key_path, const std::string& message) {
  if (key_path.empty()) throw ConfigError(fmt::format("{}: {}", where.text(), message));
  throw ConfigError(fmt::format("{}: {}: {}", where.text(), key_path, message));
}

}  // namespace dltrain::config
