// `dltrain run CONFIG [--set k=v]... [--output DIR] [--force] [--nproc-per-node N]` |
// `dltrain run --resume RUN_DIR [CONFIG] [--set k=v]...`
#include <nlohmann/json.hpp>

#include <cstdlib>
#include <iostream>

#include "commands.h"
#include "dltrain/config/load_config.h"
#include "dltrain/config/located_error.h"
#include "dltrain/core/error.h"
#include "dltrain/dist/launcher.h"
#include "dltrain/train/experiment.h"

namespace dltrain::app {
namespace {

struct RunCommandOptions {
  std::string config;
  std::vector<std::string> overrides;
  train::RunOptions run;
  int nproc_per_node = 1;
};

// The command line each local worker runs: this one without --nproc-per-node.
std::vector<std::string> worker_arguments(const RunCommandOptions& options, const GlobalOptions& global) {
  std::vector<std::string> args = {"run"};
  if (!options.config.empty()) args.push_back(options.config);
  if (!options.run.resume.empty()) args.insert(args.end(), {"--resume", options.run.resume});
  for (const auto& entry : options.overrides) args.insert(args.end(), {"--set", entry});
  if (!options.run.output.empty()) args.insert(args.end(), {"--output", options.run.output});
  if (options.run.force) args.push_back("--force");
  args.insert(args.end(), {"--log-level", global.log_level});
  if (global.quiet) args.push_back("--quiet");
  if (global.json) args.push_back("--json");
  return args;
}

int launch_workers(const RunCommandOptions& options, const GlobalOptions& global) {
  if (std::getenv("WORLD_SIZE") != nullptr) {
    throw ConfigError("--nproc-per-node: WORLD_SIZE is already set, so this process is a rank of a job; "
                      "start the workers either with --nproc-per-node or with the environment, not both");
  }
  dist::LaunchOptions launch;
  launch.workers = options.nproc_per_node;
  launch.arguments = worker_arguments(options, global);
  if (const char* addr = std::getenv("MASTER_ADDR")) launch.master_addr = addr;
  if (const char* port = std::getenv("MASTER_PORT")) launch.master_port = std::atoi(port);
  return dist::launch_local_workers(launch);
}

}  // namespace

void add_run_command(CLI::App& app, const GlobalOptions& global, CommandAction& action) {
  auto options = std::make_shared<RunCommandOptions>();
  auto* cmd = app.add_subcommand("run", "Train a model from a YAML experiment config");
  cmd->add_option("config", options->config, "Experiment config (YAML); with --resume, default RUN_DIR/config.yaml");
  cmd->add_option("--resume", options->run.resume,
                  "Continue an interrupted run in its directory from checkpoints/last.pt (metrics are appended)");
  cmd->add_option("--set", options->overrides, "Override a config key: key.path=value (repeatable; list elements as key[i])");
  cmd->add_option("--output", options->run.output, "Parent directory of the run directory (default: the config's output)");
  cmd->add_flag("--force", options->run.force, "Replace an existing run directory of the same name instead of adding -2, -3, ...");
  cmd->add_option("--nproc-per-node", options->nproc_per_node,
                  "Data-parallel training in N local worker processes (one per GPU on CUDA, else splitting the cores)")
      ->check(CLI::Range(1, 1024));
  cmd->footer(
      "The run directory <output>/<name> receives config.yaml, metrics.jsonl, metrics.csv, checkpoints/,\n"
      "summary.json and train.log.\n"
      "Examples:\n"
      "  dltrain run configs/quickstart.yaml\n"
      "  dltrain run configs/quickstart.yaml --set optimizer.lr=0.01 --set train.epochs=2 --json\n"
      "  dltrain run configs/quickstart.yaml --nproc-per-node 2\n"
      "  dltrain run --resume runs/quickstart --set train.epochs=20");
  cmd->callback([cmd, options, &global, &action] {
    if (options->config.empty() && options->run.resume.empty()) {
      throw CLI::ValidationError("run", "give a CONFIG file, or --resume RUN_DIR");
    }
    (void)cmd;
    action = [options, &global] {
      if (options->nproc_per_node > 1) return launch_workers(*options, global);
      const std::string path = options->config.empty() ? options->run.resume + "/config.yaml" : options->config;
      const auto config = config::load_config(path, options->overrides);
      options->run.images = image_support();
      const auto summary =
          config::with_config_positions(config, [&] { return train::run_experiment(config, options->run); });
      // In a distributed job every rank returns the summary; rank 0 prints it.
      if (global.json && (!std::getenv("RANK") || std::string(std::getenv("RANK")) == "0")) {
        std::cout << summary.dump(2) << std::endl;
      }
      return 0;
    };
  });
}

}  // namespace dltrain::app
