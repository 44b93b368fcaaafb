// `dltrain check CONFIG [--set k=v]... [--full]`: validate and print the resolved config; with
// --full also read the data headers and summarize the model. Without --full the front end
// (front_main.cpp) answers before LibTorch is loaded; this is the --full path.
#include <nlohmann/json.hpp>

#include <iostream>

#include "check_options.h"
#include "commands.h"
#include "dltrain/config/load_config.h"
#include "dltrain/config/located_error.h"
#include "dltrain/config/resolved_yaml.h"
#include "dltrain/train/model_check.h"

namespace dltrain::app {

void add_check_command(CLI::App& app, const GlobalOptions& global, CommandAction& action) {
  auto options = std::make_shared<CheckOptions>();
  auto* cmd = add_check_flags(app, *options);
  cmd->callback([options, &global, &action] {
    action = [options, &global] {
      const auto config = config::load_config(options->config, options->overrides);
      if (!options->full) return print_config_check(config, global.json);
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
