// `dltrain eval --run RUN_DIR | --checkpoint FILE [--config CONFIG] [--split test|val] [--json] [--plots]`
#include <spdlog/spdlog.h>

#include <filesystem>
#include <iostream>
#include <nlohmann/json.hpp>

#include "commands.h"
#include "dltrain/core/error.h"
#include "dltrain/eval/metrics_report.h"
#include "dltrain/train/checkpoint_evaluation.h"
#ifdef DLTRAIN_WITH_VISION
#include "dltrain/vision/confusion_matrix_image.h"
#endif

namespace dltrain::app {
namespace {

// The confusion-matrix PNG goes into the run directory, or beside a checkpoint file given alone.
std::string write_plots(const train::EvaluationRequest& request, const train::EvaluationResult& result) {
#ifdef DLTRAIN_WITH_VISION
  const std::filesystem::path dir = !request.run_dir.empty()
                                        ? std::filesystem::path(request.run_dir)
                                        : std::filesystem::path(result.checkpoint_path).parent_path();
  const std::string path = (dir / ("confusion_matrix_" + result.split + ".png")).string();
  const std::string title = "confusion matrix, " + result.split + " split, " +
                            std::filesystem::path(result.checkpoint_path).filename().string() + " (epoch " +
                            std::to_string(result.epoch) + ")";
  vision::write_confusion_matrix_png(result.metrics.confusion(), result.class_names, title, path);
  spdlog::info("wrote {}", path);
  return path;
#else
  (void)request, (void)result;
  throw ConfigError("--plots: this dltrain was built without OpenCV (DLTRAIN_WITH_VISION=OFF)");
#endif
}

}  // namespace

void add_eval_command(CLI::App& app, const GlobalOptions& global, CommandAction& action) {
  auto request = std::make_shared<train::EvaluationRequest>();
  request->checkpoint = "last";
  auto* cmd = app.add_subcommand("eval", "Evaluate a trained model on the test or validation split");
  auto* run = cmd->add_option("--run", request->run_dir, "Run directory to evaluate");
  cmd->add_option("--checkpoint", request->checkpoint,
                  "With --run: last, best or a file (default last); without: a checkpoint file");
  cmd->add_option("--config", request->config_path, "Config to use instead of the one stored in the checkpoint");
  cmd->add_option("--split", request->split, "test or val")->capture_default_str();
  auto plots = std::make_shared<bool>(false);
  cmd->add_flag("--plots", *plots,
                "Also write confusion_matrix_<split>.png (into the run directory, or beside the checkpoint file)");
  cmd->footer(
      "Prints loss, accuracy, top-5 accuracy, balanced accuracy, macro-F1, per-class precision/recall/F1\n"
      "and the confusion matrix; --json prints them as one JSON document.\n"
      "Examples:\n"
      "  dltrain eval --run runs/quickstart\n"
      "  dltrain eval --checkpoint runs/quickstart/checkpoints/best.pt --split val --json\n"
      "  dltrain eval --run runs/quickstart --plots      # + runs/quickstart/confusion_matrix_test.png");
  cmd->callback([cmd, run, request, plots, &global, &action] {
    if (run->count() == 0 && (request->checkpoint == "last" || request->checkpoint == "best")) {
      throw CLI::ValidationError("eval", "give --run RUN_DIR or --checkpoint FILE");
    }
    (void)cmd;
    action = [request, plots, &global] {
      request->images = image_support();
      const auto result = train::evaluate_checkpoint(*request);
      const std::string plot = *plots ? write_plots(*request, result) : "";
      if (global.json) {
        auto json = eval::metrics_to_json(result.metrics, result.class_names);
        json["split"] = result.split;
        json["checkpoint"] = result.checkpoint_path;
        json["epoch"] = result.epoch;
        json["samples_per_second"] = result.samples_per_second;
        if (!plot.empty()) json["plots"] = {{"confusion_matrix", plot}};
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
