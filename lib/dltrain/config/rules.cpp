// The named checks of rules.h. Numbers must be finite: no key of the config means infinity.
#include "dltrain/config/rules.h"

#include <cctype>
#include <cmath>
#include <string>

namespace dltrain::config::rules {

Rule<double> number() {
  return {"a number", [](const double& v) { return std::isfinite(v); }, false, {}};
}
Rule<double> positive_number() {
  return {"a positive number", [](const double& v) { return std::isfinite(v) && v > 0; }, false, {}};
}
Rule<double> non_negative_number() {
  return {"a number >= 0", [](const double& v) { return std::isfinite(v) && v >= 0; }, false, {}};
}
Rule<double> fraction() {
  return {"a number in [0, 1)", [](const double& v) { return v >= 0 && v < 1; }, false, {}};
}

Rule<double> unit_interval() {
  return {"a number in (0, 1]", [](const double& v) { return v > 0 && v <= 1; }, false, {}};
}
Rule<double> at_least_one() {
  return {"a number >= 1", [](const double& v) { return std::isfinite(v) && v >= 1; }, false, {}};
}
Rule<double> open_unit_interval() {
  return {"a number in (0, 1)", [](const double& v) { return v > 0 && v < 1; }, false, {}};
}

Rule<int64_t> integer() { return {"an integer", {}, false, {}}; }
Rule<int64_t> positive_integer() {
  return {"a positive integer", [](const int64_t& v) { return v > 0; }, false, {}};
}
Rule<int64_t> non_negative_integer() {
  return {"an integer >= 0", [](const int64_t& v) { return v >= 0; }, false, {}};
}
Rule<int64_t> odd_positive_integer() {
  return {"an odd positive integer", [](const int64_t& v) { return v > 0 && v % 2 == 1; }, false, {}};
}

Rule<int64_t> integer_in(int64_t low, int64_t high) {
  return {"an integer in [" + std::to_string(low) + ", " + std::to_string(high) + "]",
          [low, high](const int64_t& v) { return v >= low && v <= high; }, false, {}};
}

Rule<std::string> any_string() { return {"a string", {}, false, {}}; }
Rule<std::string> non_empty_string() {
  return {"a non-empty string", [](const std::string& v) { return !v.empty(); }, false, {}};
}

Rule<std::string> one_of(std::initializer_list<const char*> choices) {
  Rule<std::string> rule;
  rule.expected = "one of";
  for (const char* choice : choices) {
    rule.expected += std::string(rule.choices.empty() ? " " : ", ") + choice;
    rule.choices.emplace_back(choice);
  }
  std::vector<std::string> allowed = rule.choices;
  rule.accepts = [allowed](const std::string& v) {
    for (const auto& choice : allowed)
      if (v == choice) return true;
    return false;
  };
  return rule;
}

Rule<std::string> device_name() {
  auto accepts = [](const std::string& v) {
    if (v == "auto" || v == "cpu" || v == "cuda") return true;
    const std::string prefix = "cuda:";
    if (v.size() <= prefix.size() || v.compare(0, prefix.size(), prefix) != 0) return false;
    for (std::size_t i = prefix.size(); i < v.size(); ++i)
      if (!std::isdigit(static_cast<unsigned char>(v[i]))) return false;
    return true;
  };
  // No suggestions: "gpu" is closest to "cpu", the opposite of what was meant.
  return {"auto, cpu, cuda or cuda:N", accepts, false, {}};
}

Rule<std::string> directory_name() {
  // The name becomes a directory under `output`: no separators, no spaces, no "." or "..".
  auto accepts = [](const std::string& v) {
    if (v.empty() || v == "." || v == "..") return false;
    for (char c : v)
      if (!std::isalnum(static_cast<unsigned char>(c)) && c != '-' && c != '_' && c != '.') return false;
    return true;
  };
  return {"a directory name of letters, digits, '-', '_' and '.'", accepts, false, {}};
}

}  // namespace dltrain::config::rules
