#include "check_options.h"

#include <nlohmann/json.hpp>

#include <iostream>

#include "dltrain/config/resolved_yaml.h"

namespace dltrain::app {

CLI::App* add_check_flags(CLI::App& app, CheckOptions& options) {
  auto* cmd = app.add_subcommand(
      "check", "Validate a config and print it resolved; --full also reads the data headers and summarizes the model");
  cmd->add_option("config", options.config, "Experiment config (YAML)")->required();
  cmd->add_option("--set", options.overrides, "Override a config key: key.path=value (repeatable)");
  cmd->add_flag("--full", options.full,
                "Also read the data files' headers and build the model: its layers, parameters and MACs "
                "(loads LibTorch, a fraction of a second)");
  cmd->footer("Example: dltrain check configs/quickstart.yaml --full --set model.channels=[16,32]");
  return cmd;
}

int print_config_check(const config::ExperimentConfig& config, bool json) {
  if (json) {
    const nlohmann::ordered_json report = {{"config", config::to_yaml(config)}, {"data", nullptr}, {"model", nullptr}};
    std::cout << report.dump(2) << std::endl;
  } else {
    std::cout << "# resolved config\n"
              << config::to_yaml(config) << "\n# valid; dltrain check --full also reads the data and builds the model\n";
  }
  return 0;
}

}  // namespace dltrain::app
