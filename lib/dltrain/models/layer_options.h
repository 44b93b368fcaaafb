// Typed reading of one `sequential` layer's options (kept as text by the config layer). Every
// error names the option's key path (model.layers[3].out), which the config positions locate.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "dltrain/config/experiment_config.h"

namespace dltrain::models {

class LayerOptions {
 public:
  LayerOptions(const config::LayerConfig& layer, std::string path);

  int64_t positive_integer(const char* key);  // required
  int64_t positive_integer(const char* key, int64_t fallback);
  int64_t non_negative_integer(const char* key, int64_t fallback);
  double fraction(const char* key, double fallback);  // [0, 1)
  double number(const char* key, double fallback);
  bool flag(const char* key, bool fallback);
  // "same" (padding that keeps H and W at stride 1) or an integer >= 0; returns the padding.
  int64_t padding(const char* key, int64_t kernel);

  // Throws for any option no getter asked for, listing the ones that were.
  void finish() const;

  const std::string& path() const { return path_; }
  const std::string& type() const { return layer_.type; }

 private:
  const std::string* find(const char* key);
  // Sizes are bounded so a typo fails here rather than as a huge allocation.
  int64_t size_value(const char* key, const std::string& text, int64_t low) const;
  [[noreturn]] void fail(const char* key, const std::string& expected, const std::string& got) const;

  const config::LayerConfig& layer_;
  std::string path_;
  std::vector<std::string> read_;
};

}  // namespace dltrain::models
