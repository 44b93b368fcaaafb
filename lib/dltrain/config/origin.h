// Where a config value came from — a file position or a --set override — and the one-line
// ConfigError that names it: "file:line:col: key.path: message" or "--set k=v: key.path: message".
#pragma once

#include <string>

namespace dltrain::config {

struct Origin {
  std::string source;  // the config file's display name, or "--set key.path=value"
  int line = -1;       // 0-based, as yaml-cpp marks count; -1: no position
  int column = -1;

  std::string text() const;  // 1-based "file:12:7", or the bare source without a position
};

[[noreturn]] void fail(const Origin& where, const std::string& key_path, const std::string& message);

}  // namespace dltrain::config
