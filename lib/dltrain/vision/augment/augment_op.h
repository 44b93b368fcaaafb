// Vision-internal: the augment op interface, the recorded random draws and typed op options.
#pragma once

#include <cstdint>
#include <opencv2/core.hpp>
#include <opencv2/imgproc.hpp>
#include <random>
#include <string>
#include <vector>

namespace dltrain::config {
struct LayerConfig;
}

namespace dltrain::vision {

// Uniform draws from a per-sample engine (own arithmetic: std distributions differ between
// standard libraries), each optionally written to the record as name=value.
class Draw {
 public:
  Draw(uint64_t seed, std::string* record) : engine_(seed), record_(record) {}
  double uniform(double lo, double hi);         // not recorded
  double uniform(const char* name, double lo, double hi);
  int64_t integer(const char* name, int64_t lo, int64_t hi);  // [lo, hi]
  bool chance(double p) { return p >= 1.0 || uniform(0.0, 1.0) < p; }
  std::mt19937_64& engine() { return engine_; }
  void begin_op(const std::string& name);
  void end_op();
  void note(const char* name, const std::string& value);  // records name=value

 private:
  std::mt19937_64 engine_;
  std::string* record_;
  bool first_value_ = true;
};

class AugmentOp {
 public:
  virtual ~AugmentOp() = default;
  virtual const char* name() const = 0;
  // [C, H, W] after the op; ops that change it must run always (p = 1).
  virtual std::vector<int64_t> output_shape(std::vector<int64_t> in) const { return in; }
  virtual void apply(cv::Mat& image, Draw& draw) const = 0;  // HWC uint8, in place
  double p = 1.0;
};

// Reads an op's options by name; unknown or malformed ones are a ConfigError naming
// data.augment[i].option. `done()` rejects options no one asked for.
class OpOptions {
 public:
  OpOptions(const config::LayerConfig& op, std::string path);
  double number(const char* name, double fallback, double lo, double hi);
  int64_t integer(const char* name, int64_t fallback, int64_t lo, int64_t hi);
  std::string choice(const char* name, const std::string& fallback, const std::vector<std::string>& choices);
  bool has(const char* name) const;
  [[noreturn]] void fail(const char* name, const std::string& what) const;
  void done() const;
  const std::string& path() const { return path_; }

 private:
  const std::string* find(const char* name);
  const config::LayerConfig& op_;
  std::string path_;
  std::vector<std::string> used_;
};

// The border for ops that move pixels: constant `fill` or reflect.
struct Border {
  int mode = cv::BORDER_CONSTANT;
  int fill = 0;
  int interpolation = cv::INTER_LINEAR;
  static Border read(OpOptions& options);
};

}  // namespace dltrain::vision
