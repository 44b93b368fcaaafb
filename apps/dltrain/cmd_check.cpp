// `dltrain check CONFIG [--set k=v]...`: validate, print the resolved config and model summary.
#include <nlohmann/json.hpp>

#include <iostream>

#include "commands.h"
#include "dltrain/config/load_config.h"
#include "dltrain/config/located_error.h"
#include "dltrain/config/resolved_yaml.h"
#include "dltrain/train/model_check.h"

namespace dltrain::app {

void add_check_command(CLI::App& app, const GlobalOptions& global, CommandAction& action) {
  struct Options {
    std::string config;
    std::vector<std::string> overrides;
  };
  auto options = std::make_shared<Options>();
  auto* cmd = app.add_subcommand("check", "Validate a config; print it resolved and summarize the model (trains nothing)");
  cmd->add_option("config", options->config, "Experiment config (YAML)")->required();
  cmd->add_option("--set", options->overrides, "Override a config key: key.path=value (repeatable)");
  cmd->footer("Example: dltrain check configs/quickstart.yaml --set model.channels=[16,32]");
  cmd->callback([options, &global, &action] {
    action = [options, &global] {
      const auto config = config::load_config(options->config, options->overrides);
      const auto check = config::with_config_positions(config, [&] { return train::check_model(config, image_support()); });
      if (global.json) {
        std::cout << train::model_check_json(config, check).dump(2) << std::endl;
      } else {
        std::cout << "# resolved config\n" << config::to_yaml(config) << "\n# model\n" << train::format_model_check(check);
      }
      return 0;
    };
  });
}

}  // namespace dltrain::app
