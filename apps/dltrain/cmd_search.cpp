// `dltrain search SPEC [--workers N] [--set k=v]...` and `dltrain search status STUDY_DB [--json]`.
#include <spdlog/spdlog.h>

#include <filesystem>
#include <iostream>
#include <nlohmann/json.hpp>

#include "commands.h"
#include "dltrain/search/leaderboard.h"
#include "dltrain/search/local_workers.h"
#include "dltrain/search/search_runner.h"
#include "dltrain/search/search_spec.h"
#include "dltrain/search/study_store.h"
#include "dltrain/search/trial_training.h"
#ifdef DLTRAIN_WITH_VISION
#include "dltrain/vision/search_plots.h"
#endif

namespace dltrain::app {
namespace {

// The leaderboard on stdout (or as JSON), plus the best config and the plots for `search`.
int report_study(const std::string& storage, const std::string& output, const GlobalOptions& global) {
  search::StudyStore store(storage);
  const auto info = search::study_info(store.fingerprint());
  const auto trials = store.trials();
  const auto ranked = search::ranked_trials(trials, info.maximize);
  nlohmann::ordered_json json = search::leaderboard_json(info, ranked);
  if (!output.empty()) {
    if (const auto best = search::best_trial(trials, info.maximize)) {
      const std::string path = output + "/best.yaml";
      search::write_best_config(*best, info.name, path);
      json["best_config"] = path;
      spdlog::info("best trial {} ({} {:.6g}); its config: {}", best->number, info.metric, best->value, path);
    }
#ifdef DLTRAIN_WITH_VISION
    std::vector<vision::SearchPlotTrial> points;
    for (const auto& t : trials) {
      if (t.has_value && (t.state == search::TrialState::complete || t.state == search::TrialState::pruned))
        points.push_back({t.number, t.value, t.state == search::TrialState::pruned, t.params});
    }
    if (!points.empty()) {
      vision::write_search_plots_png(points, info.metric, info.maximize, output + "/objective.png",
                                     output + "/params.png");
      json["plots"] = {output + "/objective.png", output + "/params.png"};
    }
#endif
  }
  if (global.json) {
    std::cout << json.dump(2) << std::endl;
  } else if (!global.quiet) {
    std::cout << search::format_leaderboard(info, ranked);
  }
  return 0;
}

}  // namespace

void add_search_command(CLI::App& app, const GlobalOptions& global, CommandAction& action) {
  struct Options {
    std::string spec, study;
    std::vector<std::string> overrides;
    int workers = 1;
  };
  auto options = std::make_shared<Options>();
  auto* cmd = app.add_subcommand("search", "Hyperparameter and architecture search over a base config (TPE, ASHA, SQLite study)");
  cmd->add_option("spec", options->spec, "Search spec (YAML); running it again resumes the study");
  cmd->add_option("--workers", options->workers, "Local worker processes sharing the study")
      ->check(CLI::Range(1, 256))
      ->capture_default_str();
  cmd->add_option("--set", options->overrides, "Override a key of every trial's config: key.path=value (repeatable)");
  auto* status = cmd->add_subcommand("status", "Print a study's leaderboard (with --json: as JSON)");
  status->add_option("study", options->study, "The study's SQLite file (the spec's storage)")->required();
  cmd->footer(
      "Each trial is an ordinary run directory <output>/trial-NNNN; <output>/best.yaml is the best trial's\n"
      "config, <output>/objective.png and params.png plot the study. Other machines sharing the study\n"
      "file may run the same command.\n"
      "Examples:\n"
      "  dltrain search configs/search/fmnist-lr.yaml --workers 2\n"
      "  dltrain search status studies/fmnist-lr.db --json");
  cmd->callback([options, status, &global, &action] {
    if (status->parsed()) {
      action = [options, &global] { return report_study(options->study, "", global); };
      return;
    }
    if (options->spec.empty()) throw CLI::ValidationError("search", "give a SPEC file, or: search status STUDY_DB");
    action = [options, &global] {
      const auto spec = search::load_search_spec(options->spec);
      search::check_space_against_base(spec, options->overrides);
      search::WorkerPlan plan;
      plan.space = spec.space;
      plan.sampler = spec.sampler;
      plan.pruner = spec.pruner;
      plan.rules = {spec.trials, spec.max_retries, spec.stale_after_s};
      plan.maximize = spec.maximize;
      plan.seed = spec.seed;
      plan.wall_time_s = spec.wall_time_s;
      plan.output = spec.output;
      std::filesystem::create_directories(spec.output);
      const auto images = image_support();
      const int code = search::run_local_workers(options->workers, [&] {
        search::run_worker(spec.storage, spec.fingerprint(), plan, search::training_objective(spec, options->overrides, images),
                           search::model_constraints(spec, options->overrides, images));
        return 0;
      });
      if (code != 0) return code;
      return report_study(spec.storage, spec.output, global);
    };
  });
}

}  // namespace dltrain::app
