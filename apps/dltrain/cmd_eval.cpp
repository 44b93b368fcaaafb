// `dltrain eval --run RUN_DIR | --checkpoint FILE [--config CONFIG] [--split test|val] [--json]`
#include <nlohmann/json.hpp>

#include <iostream>

#include "commands.h"
#include "dltrain/core/error.h"
#include "dltrain/eval/metrics_report.h"
#include "dltrain/train/checkpoint_evaluation.h"

namespace dltrain::app {

void add_eval_command(CLI::App& app, const GlobalOptions& global, CommandAction& action) {
  auto request = std::make_shared<train::EvaluationRequest>();
  request->checkpoint = "last";
  auto* cmd = app.add_subcommand("eval", "Evaluate a trained model on the test or validation split");
  auto* run = cmd->add_option("--run", request->run_dir, "Run directory to evaluate");
  cmd->add_option("--checkpoint", request->checkpoint,
                  "With --run: last, best or a file (default last); without: a checkpoint file");
  cmd->add_option("--config", request->config_path, "Config to use instead of the one stored in the checkpoint");
  cmd->add_option("--split", request->split, "test or val")->capture_default_str();
  cmd->footer(
      "Prints loss, accuracy, top-5 accuracy, balanced accuracy, macro-F1, per-class precision/recall/F1\n"
      "and the confusion matrix; --json prints them as one JSON document.\n"
      "Examples:\n"
      "  dltrain eval --run runs/quickstart\n"
      "  dltrain eval --checkpoint runs/quickstart/checkpoints/best.pt --split val --json");
  cmd->callback([cmd, run, request, &global, &action] {
    if (run->count() == 0 && (request->checkpoint == "last" || request->checkpoint == "best")) {
      throw CLI::ValidationError("eval", "give --run RUN_DIR or --checkpoint FILE");
    }
    (void)cmd;
    action = [request, &global] {
      const auto result = train::evaluate_checkpoint(*request);
      if (global.json) {
        auto json = eval::metrics_to_json(result.metrics, result.class_names);
        json["split"] = result.split;
        json["checkpoint"] = result.checkpoint_path;
        json["epoch"] = result.epoch;
        std::cout << json.dump(2) << std::endl;
      } else {
        std::cout << "checkpoint " << result.checkpoint_path << " (epoch " << result.epoch << "), split "
                  << result.split << "\n\n"
                  << eval::format_metrics_table(result.metrics, result.class_names);
      }
      return 0;
    };
  });
}

}  // namespace dltrain::app
