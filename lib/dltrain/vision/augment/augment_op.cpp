#include "dltrain/vision/augment/augment_op.h"

#include <fmt/format.h>

#include <cmath>
#include <cstdlib>

#include "dltrain/config/experiment_config.h"
#include "dltrain/core/error.h"

namespace dltrain::vision {

double Draw::uniform(double lo, double hi) {
  const double unit = static_cast<double>(engine_() >> 11) * 0x1.0p-53;
  return lo + (hi - lo) * unit;
}

double Draw::uniform(const char* name, double lo, double hi) {
  const double value = uniform(lo, hi);
  note(name, fmt::format("{:.6g}", value));
  return value;
}

int64_t Draw::integer(const char* name, int64_t lo, int64_t hi) {
  const auto span = static_cast<uint64_t>(hi - lo + 1);
  const int64_t value = lo + static_cast<int64_t>(engine_() % span);  // spans are tiny: bias is negligible
  note(name, std::to_string(value));
  return value;
}

void Draw::begin_op(const std::string& name) {
  if (!record_) return;
  if (!record_->empty()) *record_ += "; ";
  *record_ += name + "(";
  first_value_ = true;
}

void Draw::end_op() {
  if (record_) *record_ += ")";
}

void Draw::note(const char* name, const std::string& value) {
  if (!record_) return;
  *record_ += (first_value_ ? "" : ", ") + std::string(name) + "=" + value;
  first_value_ = false;
}

OpOptions::OpOptions(const config::LayerConfig& op, std::string path) : op_(op), path_(std::move(path)) {}

const std::string* OpOptions::find(const char* name) {
  used_.push_back(name);
  for (const auto& [key, value] : op_.options)
    if (key == name) return &value;
  return nullptr;
}

bool OpOptions::has(const char* name) const {
  for (const auto& option : op_.options)
    if (option.first == name) return true;
  return false;
}

void OpOptions::fail(const char* name, const std::string& what) const {
  throw ConfigError(fmt::format("{}.{}: {}", path_, name, what));
}

double OpOptions::number(const char* name, double fallback, double lo, double hi) {
  const std::string* text = find(name);
  if (!text) return fallback;
  char* end = nullptr;
  const double value = std::strtod(text->c_str(), &end);
  if (text->empty() || *end != '\0' || !std::isfinite(value) || value < lo || value > hi)
    fail(name, fmt::format("expected a number in [{:g}, {:g}], got \"{}\"", lo, hi, *text));
  return value;
}

int64_t OpOptions::integer(const char* name, int64_t fallback, int64_t lo, int64_t hi) {
  const std::string* text = find(name);
  if (!text) return fallback;
  char* end = nullptr;
  const long long value = std::strtoll(text->c_str(), &end, 10);
  if (text->empty() || *end != '\0' || value < lo || value > hi)
    fail(name, fmt::format("expected an integer in [{}, {}], got \"{}\"", lo, hi, *text));
  return value;
}

std::string OpOptions::choice(const char* name, const std::string& fallback, const std::vector<std::string>& choices) {
  const std::string* text = find(name);
  if (!text) return fallback;
  for (const auto& c : choices)
    if (c == *text) return c;
  fail(name, fmt::format("expected one of {}, got \"{}\"", fmt::join(choices, " | "), *text));
}

void OpOptions::done() const {
  for (const auto& [key, value] : op_.options) {
    bool known = false;
    for (const auto& used : used_) known = known || used == key;
    if (!known) {
      throw ConfigError(fmt::format("{}.{}: not an option of {} (it reads {})", path_, key, op_.type,
                                    used_.empty() ? std::string("none") : fmt::format("{}", fmt::join(used_, ", "))));
    }
  }
}

Border Border::read(OpOptions& options) {
  Border border;
  border.mode = options.choice("padding_mode", "constant", {"constant", "reflect"}) == "reflect" ? cv::BORDER_REFLECT_101
                                                                                                 : cv::BORDER_CONSTANT;
  border.fill = static_cast<int>(options.integer("fill", 0, 0, 255));
  border.interpolation =
      options.choice("interpolation", "bilinear", {"bilinear", "nearest"}) == "nearest" ? cv::INTER_NEAREST : cv::INTER_LINEAR;
  return border;
}

}  // namespace dltrain::vision
