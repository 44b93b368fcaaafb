// The key is the text before the first ": ", when it looks like a key path ("data.train",
// "model"); runtime messages ("training diverged: ...") are left alone.
#include "dltrain/config/located_error.h"

#include <algorithm>
#include <cctype>

namespace dltrain::config {
namespace {

bool is_key_path(const std::string& text) {
  return !text.empty() && std::all_of(text.begin(), text.end(), [](unsigned char c) {
    return std::islower(c) || std::isdigit(c) || c == '_' || c == '.' || c == '[' || c == ']';
  });
}

}  // namespace

std::string locate_message(const ExperimentConfig& config, const std::string& message) {
  const auto colon = message.find(": ");
  if (colon == std::string::npos) return message;
  const std::string key = message.substr(0, colon);
  if (!is_key_path(key)) return message;
  const auto origin = config.origins.find(key);
  if (origin != config.origins.end()) return origin->second + ": " + message;
  return config.source_path.empty() ? message : config.source_path + ": " + message;
}

}  // namespace dltrain::config
