// `dltrain check`'s flags and its config-only report, shared by the torch-free front end
// (front_main.cpp, which answers `check` without --full in milliseconds) and the engine
// (cmd_check.cpp, which builds the model for --full). No LibTorch here.
#pragma once

#include <CLI/CLI.hpp>

#include <string>
#include <vector>

#include "dltrain/config/experiment_config.h"

namespace dltrain::app {

struct CheckOptions {
  std::string config;
  std::vector<std::string> overrides;
  bool full = false;  // also read the data headers and build the model (loads LibTorch)
};

// Registers the `check` subcommand and its flags on `app`.
CLI::App* add_check_flags(CLI::App& app, CheckOptions& options);

// The config-only check: prints the resolved config (or, with `json`, {"config": ...,
// "data": null, "model": null}). Returns the exit code.
int print_config_check(const config::ExperimentConfig& config, bool json);

}  // namespace dltrain::app
