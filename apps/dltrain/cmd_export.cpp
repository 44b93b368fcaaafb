// `dltrain export --run RUN_DIR --format safetensors --out FILE`
#include <spdlog/spdlog.h>

#include <iostream>
#include <nlohmann/json.hpp>

#include "commands.h"
#include "dltrain/io/weight_export.h"

namespace dltrain::app {

void add_export_command(CLI::App& app, const GlobalOptions& global, CommandAction& action) {
  struct Options {
    std::string run, format = "safetensors", out;
  };
  auto options = std::make_shared<Options>();
  auto* cmd = app.add_subcommand("export", "Write a run's final weights as safetensors, with its config and class names");
  cmd->add_option("--run", options->run, "Run directory (its checkpoints/last.pt)")->required();
  cmd->add_option("--format", options->format, "safetensors")->capture_default_str();
  cmd->add_option("--out", options->out, "File to write, e.g. model.safetensors")->required();
  cmd->footer(
      "Beside FILE: FILE's stem + .config.yaml (the resolved config) and + .classes.txt (one class\n"
      "name per line); both are also in the safetensors header's __metadata__.\n"
      "Example:\n"
      "  dltrain export --run runs/quickstart --out quickstart.safetensors\n"
      "  python3 -c 'from safetensors.torch import load_file; print(load_file(\"quickstart.safetensors\").keys())'");
  cmd->callback([options, &global, &action] {
    action = [options, &global] {
      const auto files = io::export_run(options->run, options->format, options->out);
      spdlog::info("wrote {} ({} tensors), {}, {}", files.weights, files.tensors, files.config, files.class_names);
      if (global.json) {
        std::cout << nlohmann::json{{"weights", files.weights},
                                    {"config", files.config},
                                    {"class_names", files.class_names},
                                    {"tensors", files.tensors}}
                         .dump(2)
                  << std::endl;
      }
      return 0;
    };
  });
}

}  // namespace dltrain::app
