// The key is the text before the first ": " when it is a key path the config was given.
#include "dltrain/config/located_error.h"

namespace dltrain::config {

std::string locate_message(const ExperimentConfig& config, const std::string& message) {
  const auto colon = message.find(": ");
  if (colon != std::string::npos) {
    const auto origin = config.origins.find(message.substr(0, colon));
    if (origin != config.origins.end()) return origin->second + ": " + message;
  }
  if (!config.source_path.empty() && message.rfind(config.source_path, 0) != 0) {
    return config.source_path + ": " + message;
  }
  return message;
}

}  // namespace dltrain::config
