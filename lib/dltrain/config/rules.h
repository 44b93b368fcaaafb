// The named checks the schema attaches to keys; each carries the words used in error messages.
#pragma once

#include "dltrain/config/schema_visitor.h"

#include <cstddef>
#include <cstdint>
#include <initializer_list>
#include <string>

namespace dltrain::config::rules {

Rule<double> number();
Rule<double> positive_number();
Rule<double> non_negative_number();
Rule<double> fraction();  // [0, 1)
Rule<double> unit_interval();       // (0, 1]
Rule<double> open_unit_interval();  // (0, 1)
Rule<double> at_least_one();        // finite, >= 1

Rule<int64_t> integer();
Rule<int64_t> positive_integer();
Rule<int64_t> non_negative_integer();
Rule<int64_t> odd_positive_integer();
Rule<int64_t> integer_in(int64_t low, int64_t high);  // low <= v <= high: every size-like key has a ceiling

Rule<std::string> any_string();
Rule<std::string> non_empty_string();
Rule<std::string> one_of(std::initializer_list<const char*> choices);
Rule<std::string> device_name();     // auto | cpu | cuda | cuda:N
Rule<std::string> directory_name();  // letters, digits, '-', '_', '.'; not "." or ".."

// The key must be given in the file or by --set.
template <class T>
Rule<T> required(Rule<T> rule) {
  rule.required = true;
  return rule;
}

// A YAML sequence whose elements each satisfy `element`; size 0 = any length.
template <class T>
ListRule<T> list_of(Rule<T> element, std::size_t size = 0) {
  std::string expected = size == 0 ? "a list" : "a list of " + std::to_string(size) + " values";
  return ListRule<T>{expected, std::move(element), size};
}

}  // namespace dltrain::config::rules
