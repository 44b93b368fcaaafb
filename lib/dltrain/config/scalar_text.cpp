// Scalar conversions on std::from_chars/to_chars: locale-independent, and to_chars gives the
// shortest round-trip form (0.001 stays "0.001"), which makes the resolved dump exact.
#include "dltrain/config/scalar_text.h"

#include <charconv>
#include <cmath>
#include <regex>

namespace dltrain::config {
namespace {

// The sign is handled here because from_chars rejects a leading '+'.
std::string without_plus(const std::string& text) {
  return !text.empty() && text[0] == '+' ? text.substr(1) : text;
}

}  // namespace

std::optional<double> parse_number(const std::string& text) {
  // Plain decimal notation only: no hex, no "inf"/"nan", no surrounding spaces.
  static const std::regex decimal(R"([-+]?(\d+\.?\d*|\.\d+)([eE][-+]?\d+)?)");
  if (!std::regex_match(text, decimal)) return std::nullopt;
  const std::string digits = without_plus(text);
  double value = 0;
  auto [end, error] = std::from_chars(digits.data(), digits.data() + digits.size(), value);
  if (error != std::errc() || end != digits.data() + digits.size() || !std::isfinite(value))
    return std::nullopt;
  return value;
}

std::optional<int64_t> parse_integer(const std::string& text) {
  static const std::regex decimal(R"([-+]?\d+)");
  if (!std::regex_match(text, decimal)) return std::nullopt;
  const std::string digits = without_plus(text);
  int64_t value = 0;
  auto [end, error] = std::from_chars(digits.data(), digits.data() + digits.size(), value);
  if (error != std::errc() || end != digits.data() + digits.size()) return std::nullopt;
  return value;
}

std::optional<bool> parse_boolean(const std::string& text) {
  if (text == "true") return true;
  if (text == "false") return false;
  return std::nullopt;
}

std::string number_text(double value) {
  char buffer[64];
  auto [end, error] = std::to_chars(buffer, buffer + sizeof buffer, value);
  (void)error;  // 64 bytes hold any double
  return std::string(buffer, end);
}

}  // namespace dltrain::config
