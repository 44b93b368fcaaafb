// A search space: parameters over config key paths (choice, uniform, loguniform, int, int_log),
// each optionally active only when other parameters hold given values, and the assignments
// they produce (JSON objects key path -> value) turned into --set overrides.
#pragma once

#include <nlohmann/json.hpp>

#include <cstdint>
#include <string>
#include <vector>

namespace dltrain::search {

enum class ParamKind { choice, uniform, loguniform, integer, integer_log };

struct Condition {
  std::string key;                  // another parameter of the space
  std::vector<nlohmann::json> any_of;  // it must hold one of these values
};

struct Param {
  std::string key;  // config key path, e.g. optimizer.lr
  ParamKind kind = ParamKind::uniform;
  double low = 0, high = 1;             // numeric kinds
  std::vector<nlohmann::json> choices;  // choice
  int64_t grid_points = 0;              // numeric kinds under the grid sampler: evenly spaced points
  std::vector<Condition> when;          // all must hold for the parameter to be set

  bool numeric() const { return kind != ParamKind::choice; }
  bool log_scale() const { return kind == ParamKind::loguniform || kind == ParamKind::integer_log; }
  bool integral() const { return kind == ParamKind::integer || kind == ParamKind::integer_log; }
};

// Parameters ordered so every condition's parameter comes before the ones it gates.
struct SearchSpace {
  std::vector<Param> params;
};

using Assignment = nlohmann::json;  // object: key path -> value, active parameters only

// Whether `param`'s conditions hold for the parameters assigned so far.
bool is_active(const Param& param, const Assignment& assigned);

// The values a grid visits for one parameter: every choice, every integer in range, or
// `grid_points` evenly spaced (log-spaced for log kinds) values. Throws ConfigError otherwise.
std::vector<nlohmann::json> grid_values(const Param& param);

// Every assignment of the grid: the cartesian product over active parameters only, so a
// conditional parameter multiplies only the branch where its condition holds.
std::vector<Assignment> grid_assignments(const SearchSpace& space);

// `key=value` overrides for the config loader (values as JSON, which YAML reads back).
std::vector<std::string> to_overrides(const Assignment& assignment);

// Orders parameters so conditions come first; throws ConfigError naming a condition on an
// unknown parameter or a cycle.
void order_by_conditions(SearchSpace& space, const std::string& where);

const char* kind_name(ParamKind kind);

}  // namespace dltrain::search
