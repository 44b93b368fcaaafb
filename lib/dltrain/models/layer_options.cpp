// Values are parsed with the config layer's scalar rules, so `out: 1.5` and `out: 0` read the
// same way they would anywhere else in the config.
#include "dltrain/models/layer_options.h"

#include "dltrain/config/did_you_mean.h"
#include "dltrain/config/scalar_text.h"
#include "dltrain/core/error.h"

#include <algorithm>

namespace dltrain::models {

LayerOptions::LayerOptions(const config::LayerConfig& layer, std::string path)
    : layer_(layer), path_(std::move(path)) {}

const std::string* LayerOptions::find(const char* key) {
  read_.emplace_back(key);
  for (const auto& [name, value] : layer_.options)
    if (name == key) return &value;
  return nullptr;
}

void LayerOptions::fail(const char* key, const std::string& expected, const std::string& got) const {
  throw ConfigError(path_ + "." + key + ": expected " + expected + " for " + layer_.type + ", got \"" + got + "\"");
}

int64_t LayerOptions::size_value(const char* key, const std::string& text, int64_t low) const {
  constexpr int64_t kMaxSize = int64_t{1} << 16;
  const auto value = config::parse_integer(text);
  if (!value || *value < low || *value > kMaxSize)
    fail(key, "an integer in [" + std::to_string(low) + ", " + std::to_string(kMaxSize) + "]", text);
  return *value;
}

int64_t LayerOptions::positive_integer(const char* key) {
  const std::string* text = find(key);
  if (!text) throw ConfigError(path_ + ": " + layer_.type + " needs `" + key + "` (a positive integer)");
  return size_value(key, *text, 1);
}

int64_t LayerOptions::positive_integer(const char* key, int64_t fallback) {
  const std::string* text = find(key);
  return text ? size_value(key, *text, 1) : fallback;
}

int64_t LayerOptions::non_negative_integer(const char* key, int64_t fallback) {
  const std::string* text = find(key);
  return text ? size_value(key, *text, 0) : fallback;
}

double LayerOptions::fraction(const char* key, double fallback) {
  const std::string* text = find(key);
  if (!text) return fallback;
  const auto value = config::parse_number(*text);
  if (!value || *value < 0 || *value >= 1) fail(key, "a number in [0, 1)", *text);
  return *value;
}

double LayerOptions::number(const char* key, double fallback) {
  const std::string* text = find(key);
  if (!text) return fallback;
  const auto value = config::parse_number(*text);
  if (!value) fail(key, "a number", *text);
  return *value;
}

bool LayerOptions::flag(const char* key, bool fallback) {
  const std::string* text = find(key);
  if (!text) return fallback;
  const auto value = config::parse_boolean(*text);
  if (!value) fail(key, "true or false", *text);
  return *value;
}

int64_t LayerOptions::padding(const char* key, int64_t kernel) {
  const std::string* text = find(key);
  if (!text || *text == "same") {
    if (kernel % 2 == 0) {
      throw ConfigError(path_ + "." + key + ": \"same\" padding needs an odd kernel, " + layer_.type + " has " +
                        std::to_string(kernel) + "; give the padding as a number");
    }
    return (kernel - 1) / 2;
  }
  const auto value = config::parse_integer(*text);
  if (!value || *value < 0) fail(key, "\"same\" or an integer >= 0", *text);
  return *value;
}

void LayerOptions::finish() const {
  for (const auto& [name, value] : layer_.options) {
    bool known = false;
    for (const auto& key : read_) known = known || key == name;
    if (known) continue;
    std::string list;
    for (const auto& key : read_) list += (list.empty() ? "" : ", ") + key;
    throw ConfigError(path_ + "." + name + ": unknown option of " + layer_.type +
                      (list.empty() ? " (it takes none)" : " (it takes " + list + ")") +
                      config::did_you_mean(name, read_));
  }
}

}  // namespace dltrain::models
