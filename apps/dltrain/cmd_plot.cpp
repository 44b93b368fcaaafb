// `dltrain plot RUN_DIR... --out FILE.png`
#include <spdlog/spdlog.h>

#include <algorithm>
#include <filesystem>
#include <iostream>
#include <nlohmann/json.hpp>

#include "commands.h"
#include "dltrain/io/metrics_log.h"
#include "dltrain/vision/training_curves.h"

namespace dltrain::app {

void add_plot_command(CLI::App& app, const GlobalOptions& global, CommandAction& action) {
  struct Options {
    std::vector<std::string> runs;
    std::string out = "curves.png";
  };
  auto options = std::make_shared<Options>();
  auto* cmd = app.add_subcommand("plot", "Draw loss, accuracy and learning-rate curves of one or more runs as a PNG");
  cmd->add_option("runs", options->runs, "Run directories (their metrics.jsonl); several are overlaid")->required();
  cmd->add_option("--out", options->out, "PNG file to write")->capture_default_str();
  cmd->footer(
      "One colour per run; train curves solid, validation dashed.\n"
      "Examples:\n"
      "  dltrain plot runs/quickstart --out curves.png\n"
      "  dltrain plot runs/lr-0.01 runs/lr-0.001 --out compare.png");
  cmd->callback([options, &global, &action] {
    action = [options, &global] {
      // Legend names: the run directory's name, or the path as given when two names clash.
      std::vector<std::string> names;
      for (const auto& dir : options->runs) {
        names.push_back(std::filesystem::path(dir).lexically_normal().filename().string());
      }
      std::vector<vision::RunCurves> curves;
      for (size_t i = 0; i < options->runs.size(); ++i) {
        const bool clash = names[i].empty() || std::count(names.begin(), names.end(), names[i]) > 1;
        curves.push_back({clash ? options->runs[i] : names[i], io::read_metric_history(options->runs[i])});
      }
      vision::write_training_curves_png(curves, options->out);
      spdlog::info("wrote {}", options->out);
      if (global.json) std::cout << nlohmann::json{{"plot", options->out}}.dump(2) << std::endl;
      return 0;
    };
  });
}

}  // namespace dltrain::app
