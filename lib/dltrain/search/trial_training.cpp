// Trials trained through train::run_experiment; see trial_training.h.
#include "dltrain/search/trial_training.h"

#include <fmt/format.h>
#include <fmt/ranges.h>

#include <cmath>
#include <nlohmann/json.hpp>

#include "dltrain/config/did_you_mean.h"
#include "dltrain/config/located_error.h"
#include "dltrain/io/metrics_log.h"
#include "dltrain/train/experiment.h"
#include "dltrain/train/model_check.h"

namespace dltrain::search {

TrialObjective training_objective(const SearchSpec& spec, const std::vector<std::string>& extra,
                                  const data::ImageSupport& images) {
  return [spec, extra, images](const Trial& trial, const EpochReport& report) {
    const auto config = trial_config(spec, trial.params, extra, trial_name(trial.number));
    train::RunOptions options;
    options.output = spec.output;
    options.force = true;  // a retried trial starts over in its own directory
    options.images = images;
    options.epoch_end = [&](int64_t epoch, const io::MetricRow& row) {
      double value = 0.0;
      return io::find_metric(row, spec.metric, value) && report(epoch, value);
    };
    const auto summary = config::with_config_positions(config, [&] { return train::run_experiment(config, options); });
    const auto& final_metrics = summary["final"];
    if (!final_metrics.contains(spec.metric)) {
      std::vector<std::string> names;
      for (const auto& [name, value] : final_metrics.items()) names.push_back(name);
      throw SpecError(spec.path + ": objective.metric: \"" + spec.metric + "\" is not logged by the trial runs" +
                      config::did_you_mean(spec.metric, names) + "; expected one of " + fmt::format("{}", fmt::join(names, ", ")));
    }
    TrialOutcome outcome;
    outcome.value = final_metrics[spec.metric].is_number() ? final_metrics[spec.metric].get<double>() : NAN;
    outcome.pruned = summary["stop_reason"] == "pruned";
    outcome.epochs = summary["epochs_completed"].get<int64_t>();
    return outcome;
  };
}

ConstraintCheck model_constraints(const SearchSpec& spec, const std::vector<std::string>& extra,
                                  const data::ImageSupport& images) {
  if (spec.constraints.max_params == 0 && spec.constraints.max_macs == 0) return nullptr;
  return [spec, extra, images](const Assignment& params) -> std::string {
    const auto config = trial_config(spec, params, extra, "constraint-check");
    const auto check = config::with_config_positions(config, [&] { return train::check_model(config, images); });
    const auto& max = spec.constraints;
    if (max.max_params > 0 && check.model.parameters > max.max_params)
      return fmt::format("{} parameters > constraints.max_params {}", check.model.parameters, max.max_params);
    if (max.max_macs > 0 && check.model.macs > max.max_macs)
      return fmt::format("{} MACs > constraints.max_macs {}", check.model.macs, max.max_macs);
    return "";
  };
}

void check_space_against_base(const SearchSpec& spec, const std::vector<std::string>& extra) {
  const auto first_value = [](const Param& p) {
    if (!p.numeric()) return p.choices.front();
    return p.integral() ? nlohmann::json(static_cast<int64_t>(p.low)) : nlohmann::json(p.low);
  };
  // Every choice and both ends of every range, one parameter at a time, the others at their
  // first value, conditions respected.
  for (const auto& param : spec.space.params) {
    std::vector<nlohmann::json> values = param.choices;
    if (param.numeric()) {
      values = param.integral() ? std::vector<nlohmann::json>{int64_t(param.low), int64_t(param.high)}
                                : std::vector<nlohmann::json>{param.low, param.high};
    }
    for (const auto& value : values) {
      Assignment probe = Assignment::object();
      for (const auto& p : spec.space.params) {
        if (is_active(p, probe)) probe[p.key] = &p == &param ? value : first_value(p);
      }
      if (!probe.contains(param.key)) break;  // not reachable from the first values; trials will tell
      try {
        trial_config(spec, probe, extra, "probe");
      } catch (const ConfigError& e) {
        throw ConfigError(spec.path + ": space." + param.key + "=" + value.dump() + ": the base config rejects it: " +
                          e.what());
      }
    }
  }
}

}  // namespace dltrain::search
