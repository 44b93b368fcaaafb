// Reads and validates search specs; every error is located in the spec file.
#include "dltrain/search/search_spec.h"

#include <yaml-cpp/yaml.h>

#include <cmath>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "dltrain/config/did_you_mean.h"
#include "dltrain/config/document_limits.h"
#include "dltrain/config/load_config.h"
#include "dltrain/config/origin.h"
#include "dltrain/core/error.h"

namespace dltrain::search {
namespace {

class SpecReader {
 public:
  explicit SpecReader(std::string source) : source_(std::move(source)) {}

  [[noreturn]] void fail(const YAML::Node& node, const std::string& key, const std::string& message) const {
    config::fail(config::Origin{source_, node.Mark().line, node.Mark().column}, key, message);
  }

  // Rejects keys outside `known`, suggesting the closest.
  void only_keys(const YAML::Node& map, const std::string& prefix, const std::vector<std::string>& known) const {
    for (const auto& entry : map) {
      const auto key = entry.first.as<std::string>();
      if (std::find(known.begin(), known.end(), key) != known.end()) continue;
      std::string list;
      for (const auto& k : known) list += (list.empty() ? "" : ", ") + k;
      fail(entry.first, prefix + key, "unknown key; expected one of " + list + config::did_you_mean(key, known));
    }
  }

  // A word from a fixed vocabulary (sampler, pruner), or a one-line error with a suggestion.
  void require_one_of(const YAML::Node& node, const std::string& key, const std::string& value,
                      const std::vector<std::string>& choices) const {
    if (std::find(choices.begin(), choices.end(), value) != choices.end()) return;
    std::string list;
    for (std::size_t i = 0; i < choices.size(); ++i)
      list += (i == 0 ? "" : i + 1 == choices.size() ? " or " : ", ") + choices[i];
    fail(node, key, "expected " + list + ", got \"" + value + "\"" + config::did_you_mean(value, choices));
  }

  std::string text(const YAML::Node& node, const std::string& key) const {
    if (!node.IsScalar()) fail(node, key, "expected a string");
    return node.Scalar();
  }

  double number(const YAML::Node& node, const std::string& key) const {
    double v = 0;
    if (!node.IsScalar() || !YAML::convert<double>::decode(node, v) || !std::isfinite(v))
      fail(node, key, "expected a number, got " + shown(node));
    return v;
  }

  int64_t integer(const YAML::Node& node, const std::string& key, int64_t min) const {
    int64_t v = 0;
    if (!node.IsScalar() || !YAML::convert<int64_t>::decode(node, v))
      fail(node, key, "expected an integer, got " + shown(node));
    if (v < min) fail(node, key, "expected an integer >= " + std::to_string(min) + ", got " + std::to_string(v));
    return v;
  }

  const YAML::Node& map(const YAML::Node& node, const std::string& key) const {
    if (!node.IsMap()) fail(node, key, "expected a map");
    return node;
  }

  static std::string shown(const YAML::Node& node) {
    if (node.IsScalar()) return "\"" + node.Scalar() + "\"";
    return node.IsMap() ? "a map" : node.IsSequence() ? "a list" : "nothing";
  }

 private:
  std::string source_;
};

// YAML values as JSON, the way the config reader will read them back from an override.
nlohmann::json to_json(const YAML::Node& node) {
  if (node.IsSequence()) {
    auto array = nlohmann::json::array();
    for (const auto& item : node) array.push_back(to_json(item));
    return array;
  }
  if (node.IsMap()) {
    auto object = nlohmann::json::object();
    for (const auto& entry : node) object[entry.first.Scalar()] = to_json(entry.second);
    return object;
  }
  if (!node.IsScalar() || node.Tag() == "!") return node.IsScalar() ? nlohmann::json(node.Scalar()) : nullptr;
  const std::string& s = node.Scalar();
  int64_t i = 0;
  double d = 0;
  bool b = false;
  if (YAML::convert<int64_t>::decode(node, i)) return i;
  if (YAML::convert<double>::decode(node, d)) return d;
  if (YAML::convert<bool>::decode(node, b)) return b;
  if (s == "null" || s == "~") return nullptr;
  return s;
}

const std::vector<std::string> kKinds = {"choice", "uniform", "loguniform", "int", "int_log"};

Param read_param(const SpecReader& r, const std::string& key, const YAML::Node& node) {
  const std::string where = "space." + key;
  r.map(node, where);
  r.only_keys(node, where + ".", {"choice", "uniform", "loguniform", "int", "int_log", "when", "grid"});
  Param param;
  param.key = key;
  int kinds = 0;
  for (std::size_t k = 0; k < kKinds.size(); ++k) {
    const YAML::Node range = node[kKinds[k]];
    if (!range) continue;
    ++kinds;
    param.kind = static_cast<ParamKind>(k);
    const std::string what = where + "." + kKinds[k];
    if (!range.IsSequence() || range.size() == 0) r.fail(range, what, "expected a list");
    if (param.kind == ParamKind::choice) {
      for (const auto& item : range) param.choices.push_back(to_json(item));
      continue;
    }
    if (range.size() != 2) r.fail(range, what, "expected [low, high]");
    if (param.integral()) {
      param.low = double(r.integer(range[0], what + "[0]", INT64_MIN));
      param.high = double(r.integer(range[1], what + "[1]", INT64_MIN));
    } else {
      param.low = r.number(range[0], what + "[0]");
      param.high = r.number(range[1], what + "[1]");
    }
    if (!(param.low < param.high) && !(param.integral() && param.low == param.high))
      r.fail(range, what, "expected low < high");
    if (param.log_scale() && param.low <= 0) r.fail(range[0], what + "[0]", "expected a positive low end on a log scale");
  }
  if (kinds != 1) r.fail(node, where, "expected exactly one of choice, uniform, loguniform, int, int_log");
  if (const YAML::Node grid = node["grid"]) param.grid_points = r.integer(grid, where + ".grid", 1);
  if (const YAML::Node when = node["when"]) {
    r.map(when, where + ".when");
    for (const auto& entry : when) {
      Condition condition{entry.first.Scalar(), {}};
      if (entry.second.IsSequence()) {
        for (const auto& v : entry.second) condition.any_of.push_back(to_json(v));
      } else {
        condition.any_of.push_back(to_json(entry.second));
      }
      param.when.push_back(condition);
    }
  }
  return param;
}

std::string read_text_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw ConfigError("cannot read search spec '" + path + "'");
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

}  // namespace

SearchSpec load_search_spec(const std::string& path) {
  auto spec = load_search_spec_from_string(read_text_file(path), path);
  // A relative base path is the working directory's, else the spec file's directory's.
  if (!spec.base_path.empty() && !std::filesystem::exists(spec.base_path)) {
    const auto beside = std::filesystem::path(path).parent_path() / spec.base_path;
    if (std::filesystem::exists(beside)) spec.base_path = beside.string();
  }
  return spec;
}

SearchSpec load_search_spec_from_string(const std::string& yaml_text, const std::string& display_name) {
  const SpecReader r(display_name);
  config::check_parser_terminates(yaml_text, display_name);
  YAML::Node root;
  try {
    root = YAML::Load(yaml_text);
  } catch (const YAML::ParserException& e) {
    config::fail(config::Origin{display_name, e.mark.line, e.mark.column}, "", "invalid YAML: " + e.msg);
  }
  config::check_expanded_size(root, display_name);
  if (!root.IsMap()) r.fail(root, "", "expected a search spec map (base, objective, space, ...)");
  r.only_keys(root, "",
              {"name", "base", "overrides", "objective", "sampler", "pruner", "budget", "space", "constraints",
               "storage", "output", "seed", "max_retries", "stale_after_s"});

  SearchSpec spec;
  spec.path = display_name;
  spec.name = root["name"] ? r.text(root["name"], "name") : std::filesystem::path(display_name).stem().string();

  const YAML::Node base = root["base"];
  if (!base) r.fail(root, "base", "missing; expected a config file path or an inline config map");
  if (base.IsMap()) {
    spec.base_yaml = YAML::Dump(base);
  } else {
    spec.base_path = r.text(base, "base");
  }
  if (const YAML::Node overrides = root["overrides"]) {
    r.map(overrides, "overrides");
    for (const auto& entry : overrides) spec.overrides.push_back(entry.first.Scalar() + "=" + to_json(entry.second).dump());
  }

  const YAML::Node objective = root["objective"];
  if (!objective) r.fail(root, "objective", "missing; expected {metric: val/accuracy, direction: maximize}");
  r.map(objective, "objective");
  r.only_keys(objective, "objective.", {"metric", "direction"});
  if (!objective["metric"]) r.fail(objective, "objective.metric", "missing; expected a metric name such as val/accuracy");
  spec.metric = r.text(objective["metric"], "objective.metric");
  const std::string direction = objective["direction"] ? r.text(objective["direction"], "objective.direction") : "maximize";
  if (direction != "maximize" && direction != "minimize")
    r.fail(objective["direction"], "objective.direction", "expected maximize or minimize, got \"" + direction + "\"");
  spec.maximize = direction == "maximize";

  if (const YAML::Node sampler = root["sampler"]) {
    if (sampler.IsMap()) {
      r.only_keys(sampler, "sampler.", {"type", "n_startup", "n_candidates", "prior_weight", "multivariate"});
      if (sampler["type"]) spec.sampler.type = r.text(sampler["type"], "sampler.type");
      if (sampler["n_startup"]) spec.sampler.n_startup = r.integer(sampler["n_startup"], "sampler.n_startup", 0);
      if (sampler["n_candidates"])
        spec.sampler.n_candidates = r.integer(sampler["n_candidates"], "sampler.n_candidates", 1);
      if (sampler["prior_weight"]) spec.sampler.prior_weight = r.number(sampler["prior_weight"], "sampler.prior_weight");
      if (sampler["multivariate"]) {
        const std::string flag = r.text(sampler["multivariate"], "sampler.multivariate");
        if (flag != "true" && flag != "false")
          r.fail(sampler["multivariate"], "sampler.multivariate", "expected true or false, got \"" + flag + "\"");
        spec.sampler.multivariate = flag == "true";
      }
    } else {
      spec.sampler.type = r.text(sampler, "sampler");
    }
    r.require_one_of(sampler.IsMap() ? sampler["type"] : sampler, "sampler", spec.sampler.type, {"grid", "random", "tpe"});
  }
  if (const YAML::Node pruner = root["pruner"]) {
    if (pruner.IsMap()) {
      r.only_keys(pruner, "pruner.", {"type", "min_epochs", "eta", "warmup_epochs", "min_trials"});
      if (pruner["type"]) spec.pruner.type = r.text(pruner["type"], "pruner.type");
      if (pruner["min_epochs"]) spec.pruner.min_epochs = r.integer(pruner["min_epochs"], "pruner.min_epochs", 1);
      if (pruner["eta"]) {
        spec.pruner.eta = r.number(pruner["eta"], "pruner.eta");
        if (spec.pruner.eta < 2) r.fail(pruner["eta"], "pruner.eta", "expected a reduction factor >= 2");
      }
      if (pruner["warmup_epochs"])
        spec.pruner.warmup_epochs = r.integer(pruner["warmup_epochs"], "pruner.warmup_epochs", 0);
      if (pruner["min_trials"]) spec.pruner.min_trials = r.integer(pruner["min_trials"], "pruner.min_trials", 1);
    } else {
      spec.pruner.type = r.text(pruner, "pruner");
    }
    r.require_one_of(pruner.IsMap() ? pruner["type"] : pruner, "pruner", spec.pruner.type, {"none", "median", "asha"});
  }

  const YAML::Node space = root["space"];
  if (!space) r.fail(root, "space", "missing; expected a map of config keys to ranges");
  r.map(space, "space");
  if (space.size() == 0) r.fail(space, "space", "expected at least one parameter");
  for (const auto& entry : space) spec.space.params.push_back(read_param(r, entry.first.Scalar(), entry.second));
  order_by_conditions(spec.space, config::Origin{display_name, space.Mark().line, space.Mark().column}.text() + ": ");

  if (const YAML::Node budget = root["budget"]) {
    r.map(budget, "budget");
    r.only_keys(budget, "budget.", {"trials", "wall_time_s"});
    if (budget["trials"]) spec.trials = r.integer(budget["trials"], "budget.trials", 1);
    if (budget["wall_time_s"]) spec.wall_time_s = r.number(budget["wall_time_s"], "budget.wall_time_s");
  }
  if (spec.sampler.type == "grid") {
    for (const auto& param : spec.space.params) {
      try {
        grid_values(param);
      } catch (const ConfigError& e) {
        const YAML::Node node = space[param.key];
        throw ConfigError(config::Origin{display_name, node.Mark().line, node.Mark().column}.text() + ": " + e.what());
      }
    }
    const auto size = int64_t(grid_assignments(spec.space).size());
    spec.trials = spec.trials == 0 ? size : std::min(spec.trials, size);
  }
  if (spec.trials == 0 && spec.wall_time_s <= 0)
    r.fail(root["budget"] ? root["budget"] : root, "budget", "expected trials and/or wall_time_s");
  if (spec.trials == 0) spec.trials = INT64_MAX / 2;  // wall time alone bounds the study

  if (const YAML::Node constraints = root["constraints"]) {
    r.map(constraints, "constraints");
    r.only_keys(constraints, "constraints.", {"max_params", "max_macs"});
    if (constraints["max_params"]) spec.constraints.max_params = r.integer(constraints["max_params"], "constraints.max_params", 1);
    if (constraints["max_macs"]) spec.constraints.max_macs = r.integer(constraints["max_macs"], "constraints.max_macs", 1);
  }
  spec.output = root["output"] ? r.text(root["output"], "output") : "runs/" + spec.name;
  spec.storage = root["storage"] ? r.text(root["storage"], "storage") : spec.output + "/study.db";
  if (root["seed"]) spec.seed = static_cast<uint64_t>(r.integer(root["seed"], "seed", 0));
  if (root["max_retries"]) spec.max_retries = r.integer(root["max_retries"], "max_retries", 0);
  if (root["stale_after_s"]) spec.stale_after_s = r.number(root["stale_after_s"], "stale_after_s");
  return spec;
}

std::string SearchSpec::fingerprint() const {
  nlohmann::json space_json = nlohmann::json::array();
  for (const auto& p : space.params) {
    nlohmann::json when = nlohmann::json::object();
    for (const auto& c : p.when) when[c.key] = c.any_of;
    space_json.push_back({{"key", p.key}, {"kind", kind_name(p.kind)}, {"low", p.low}, {"high", p.high},
                          {"choices", p.choices}, {"grid", p.grid_points}, {"when", when}});
  }
  return nlohmann::json{{"name", name}, {"metric", metric}, {"maximize", maximize}, {"sampler", sampler.type},
                        {"seed", seed}, {"space", space_json}}
      .dump();
}

config::ExperimentConfig trial_config(const SearchSpec& spec, const Assignment& assignment,
                                      const std::vector<std::string>& extra, const std::string& name) {
  std::vector<std::string> overrides = spec.overrides;
  overrides.insert(overrides.end(), extra.begin(), extra.end());
  for (auto& o : to_overrides(assignment)) overrides.push_back(std::move(o));
  overrides.push_back("name=" + name);
  if (spec.base_path.empty()) return config::load_config_from_string(spec.base_yaml, spec.path + " (base)", overrides);
  return config::load_config(spec.base_path, overrides);
}

}  // namespace dltrain::search
