// Strict conversions between YAML scalar text and config values, shared by reading and dumping
// so that what the dump writes is exactly what the reader accepts.
#pragma once

#include <cstdint>
#include <optional>
#include <string>

namespace dltrain::config {

std::optional<double> parse_number(const std::string& text);    // decimal, e.g. 1, -0.5, 1e-3
std::optional<int64_t> parse_integer(const std::string& text);   // decimal digits; 1.5 is not one
std::optional<bool> parse_boolean(const std::string& text);      // true | false, nothing else
std::string number_text(double value);  // shortest text that reads back as the same double

}  // namespace dltrain::config
