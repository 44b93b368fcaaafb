// `dltrain augment CONFIG --out DIR [--per-image N] [--force] [--set k=v]...`
#include <nlohmann/json.hpp>

#include <iostream>

#include "commands.h"
#include "dltrain/config/load_config.h"
#include "dltrain/config/located_error.h"
#include "dltrain/data/smote.h"
#include "dltrain/vision/synthesis.h"

namespace dltrain::app {
namespace {

template <class Options>
int synthesize_table(const config::ExperimentConfig& config, const Options& options, const GlobalOptions& global) {
  const auto report = config::with_config_positions(config, [&] {
    return data::synthesize_table(config.data, options.synthesis.out, options.per_class, options.neighbours,
                                  static_cast<uint64_t>(config.seed), options.synthesis.force);
  });
  nlohmann::ordered_json rows = nlohmann::ordered_json::object();
  for (size_t c = 0; c < report.class_names.size(); ++c)
    rows[report.class_names[c]] = {{"before", report.before[c]}, {"after", report.after[c]}};
  if (global.json) {
    std::cout << nlohmann::ordered_json{{"file", report.file}, {"rows_per_class", rows}}.dump(2) << std::endl;
  } else if (!global.quiet) {
    std::cout << "wrote " << report.file << " (rows per class before -> after: " << rows.dump() << ")\n";
  }
  return 0;
}

}  // namespace

void add_augment_command(CLI::App& app, const GlobalOptions& global, CommandAction& action) {
  struct Options {
    std::string config;
    std::vector<std::string> overrides;
    vision::SynthesisOptions synthesis;
    int64_t per_class = 0;
    int64_t neighbours = 5;
  };
  auto options = std::make_shared<Options>();
  auto* cmd = app.add_subcommand("augment", "Write augmented variants of a config's training images (data synthesis)");
  cmd->add_option("config", options->config, "Experiment config (YAML); its data section and data.augment are used")
      ->required();
  cmd->add_option("--out", options->synthesis.out, "Output directory (image_folder layout)")->required();
  cmd->add_option("--per-image", options->synthesis.per_image, "Variants per training image")->capture_default_str();
  cmd->add_flag("--force", options->synthesis.force, "Write into a non-empty directory or the source directory");
  cmd->add_option("--per-class", options->per_class, "csv (SMOTE): rows per class to reach; 0 = the largest class's")
      ->capture_default_str();
  cmd->add_option("--neighbours", options->neighbours, "csv (SMOTE): nearest neighbours within the class")
      ->check(CLI::PositiveNumber)
      ->capture_default_str();
  cmd->add_option("--set", options->overrides, "Override a config key: key.path=value (repeatable)");
  cmd->footer(
      "Writes DIR/<class>/<n>_<v>.png, DIR/manifest.csv (path, label, source, ops with their drawn\n"
      "parameters) and DIR/preview.png (originals beside variants). DIR trains as data.format: image_folder.\n"
      "A csv dataset gets SMOTE rows instead: DIR/<table>.csv holds the original rows and new ones\n"
      "interpolated between k nearest neighbours of a class, until each class has --per-class rows.\n"
      "Examples:\n"
      "  dltrain augment configs/cifar_tiny.yaml --out synth --per-image 5\n"
      "  dltrain augment configs/blobs_csv.yaml --out balanced --per-class 100");
  cmd->callback([options, &global, &action] {
    action = [options, &global] {
      const auto config = config::load_config(options->config, options->overrides);
      options->synthesis.progress = !global.quiet;
      if (config.data.format == "csv") return synthesize_table(config, *options, global);
      const auto report =
          config::with_config_positions(config, [&] { return vision::synthesize_images(config, options->synthesis); });
      if (global.json) {
        nlohmann::ordered_json json{{"sources", report.sources},
                                    {"written", report.written},
                                    {"out", options->synthesis.out},
                                    {"manifest", report.manifest},
                                    {"preview", report.preview}};
        std::cout << json.dump(2) << std::endl;
      } else if (!global.quiet) {
        std::cout << "wrote " << report.written << " images from " << report.sources << " to " << options->synthesis.out
                  << "\n";
      }
      return 0;
    };
  });
}

}  // namespace dltrain::app
