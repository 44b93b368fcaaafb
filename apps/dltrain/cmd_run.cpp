// `dltrain run CONFIG [--set k=v]... [--output DIR] [--force]` | `dltrain run --resume RUN_DIR [CONFIG] [--set k=v]...`
#include <nlohmann/json.hpp>

#include <iostream>

#include "commands.h"
#include "dltrain/config/load_config.h"
#include "dltrain/config/located_error.h"
#include "dltrain/train/experiment.h"

namespace dltrain::app {

void add_run_command(CLI::App& app, const GlobalOptions& global, CommandAction& action) {
  struct Options {
    std::string config;
    std::vector<std::string> overrides;
    train::RunOptions run;
  };
  auto options = std::make_shared<Options>();
  auto* cmd = app.add_subcommand("run", "Train a model from a YAML experiment config");
  cmd->add_option("config", options->config, "Experiment config (YAML); with --resume, default RUN_DIR/config.yaml");
  cmd->add_option("--resume", options->run.resume,
                  "Continue an interrupted run in its directory from checkpoints/last.pt (metrics are appended)");
  cmd->add_option("--set", options->overrides, "Override a config key: key.path=value (repeatable; list elements as key[i])");
  cmd->add_option("--output", options->run.output, "Parent directory of the run directory (default: the config's output)");
  cmd->add_flag("--force", options->run.force, "Replace an existing run directory of the same name instead of adding -2, -3, ...");
  cmd->footer(
      "The run directory <output>/<name> receives config.yaml, metrics.jsonl, metrics.csv, checkpoints/,\n"
      "summary.json and train.log.\n"
      "Examples:\n"
      "  dltrain run configs/quickstart.yaml\n"
      "  dltrain run configs/quickstart.yaml --set optimizer.lr=0.01 --set train.epochs=2 --json\n"
      "  dltrain run --resume runs/quickstart --set train.epochs=20");
  cmd->callback([cmd, options, &global, &action] {
    if (options->config.empty() && options->run.resume.empty()) {
      throw CLI::ValidationError("run", "give a CONFIG file, or --resume RUN_DIR");
    }
    (void)cmd;
    action = [options, &global] {
      const std::string path = options->config.empty() ? options->run.resume + "/config.yaml" : options->config;
      const auto config = config::load_config(path, options->overrides);
      options->run.images = image_support();
      const auto summary =
          config::with_config_positions(config, [&] { return train::run_experiment(config, options->run); });
      if (global.json) std::cout << summary.dump(2) << std::endl;
      return 0;
    };
  });
}

}  // namespace dltrain::app
