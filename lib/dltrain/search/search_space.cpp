// Conditional search spaces and their exhaustive grid.
#include "dltrain/search/search_space.h"

#include <cmath>

#include "dltrain/core/error.h"

namespace dltrain::search {

const char* kind_name(ParamKind kind) {
  switch (kind) {
    case ParamKind::choice: return "choice";
    case ParamKind::uniform: return "uniform";
    case ParamKind::loguniform: return "loguniform";
    case ParamKind::integer: return "int";
    case ParamKind::integer_log: return "int_log";
  }
  return "?";
}

bool is_active(const Param& param, const Assignment& assigned) {
  for (const auto& condition : param.when) {
    const auto it = assigned.find(condition.key);
    if (it == assigned.end()) return false;
    bool matched = false;
    for (const auto& value : condition.any_of) matched = matched || value == *it;
    if (!matched) return false;
  }
  return true;
}

std::vector<nlohmann::json> grid_values(const Param& param) {
  if (param.kind == ParamKind::choice) return param.choices;
  std::vector<nlohmann::json> values;
  if (param.grid_points == 0 && param.integral() && param.high - param.low < 10000) {
    for (auto v = static_cast<int64_t>(param.low); v <= static_cast<int64_t>(param.high); ++v) values.push_back(v);
    return values;
  }
  if (param.grid_points < 1) {
    throw ConfigError("space." + param.key + ": the grid sampler needs finite values; give " + kind_name(param.kind) +
                      " a `grid: N` number of points");
  }
  const double a = param.log_scale() ? std::log(param.low) : param.low;
  const double b = param.log_scale() ? std::log(param.high) : param.high;
  for (int64_t i = 0; i < param.grid_points; ++i) {
    const double t = param.grid_points == 1 ? 0.5 : double(i) / double(param.grid_points - 1);
    double v = a + (b - a) * t;
    if (param.log_scale()) v = std::exp(v);
    if (param.integral()) {
      const auto rounded = static_cast<int64_t>(std::llround(v));
      if (values.empty() || values.back() != rounded) values.push_back(rounded);
    } else {
      values.push_back(v);
    }
  }
  return values;
}

namespace {

void extend_grid(const SearchSpace& space, std::size_t index, Assignment& current, std::vector<Assignment>& out) {
  if (index == space.params.size()) {
    out.push_back(current);
    return;
  }
  const Param& param = space.params[index];
  if (!is_active(param, current)) {
    extend_grid(space, index + 1, current, out);
    return;
  }
  for (const auto& value : grid_values(param)) {
    current[param.key] = value;
    extend_grid(space, index + 1, current, out);
  }
  current.erase(param.key);
}

}  // namespace

std::vector<Assignment> grid_assignments(const SearchSpace& space) {
  std::vector<Assignment> out;
  Assignment current = Assignment::object();
  extend_grid(space, 0, current, out);
  return out;
}

std::vector<std::string> to_overrides(const Assignment& assignment) {
  std::vector<std::string> overrides;
  for (const auto& [key, value] : assignment.items()) overrides.push_back(key + "=" + value.dump());
  return overrides;
}

void order_by_conditions(SearchSpace& space, const std::string& where) {
  for (const auto& param : space.params) {
    for (const auto& condition : param.when) {
      bool known = false;
      for (const auto& other : space.params) known = known || (other.key == condition.key && &other != &param);
      if (!known) {
        throw ConfigError(where + "space." + param.key + ".when: " + condition.key +
                          " is not a parameter of the space; conditions name other parameters");
      }
    }
  }
  std::vector<Param> ordered;
  std::vector<bool> placed(space.params.size(), false);
  while (ordered.size() < space.params.size()) {
    bool progress = false;
    for (std::size_t i = 0; i < space.params.size(); ++i) {
      if (placed[i]) continue;
      bool ready = true;
      for (const auto& condition : space.params[i].when) {
        bool found = false;
        for (const auto& p : ordered) found = found || p.key == condition.key;
        ready = ready && found;
      }
      if (!ready) continue;
      ordered.push_back(space.params[i]);
      placed[i] = progress = true;
    }
    if (!progress) throw ConfigError(where + "space: the `when` conditions form a cycle");
  }
  space.params = std::move(ordered);
}

}  // namespace dltrain::search
