// Each dltrain command registers its flags on the CLI11 app and sets the action to run when
// it is the chosen subcommand. Commands only wire: the work is in lib/dltrain.
#pragma once

#include <CLI/CLI.hpp>
#include <functional>

#include "dltrain/data/sample_transform.h"
#include "dltrain/data/input_files.h"

namespace dltrain::app {

struct GlobalOptions {
  bool quiet = false;
  bool json = false;  // one JSON document on stdout at the end; logs go to stderr
  std::string log_level = "info";
};

// The action returns the process exit code.
using CommandAction = std::function<int()>;

void add_run_command(CLI::App& app, const GlobalOptions& global, CommandAction& action);
void add_eval_command(CLI::App& app, const GlobalOptions& global, CommandAction& action);
void add_check_command(CLI::App& app, const GlobalOptions& global, CommandAction& action);
void add_plot_command(CLI::App& app, const GlobalOptions& global, CommandAction& action);  // needs vision
void add_augment_command(CLI::App& app, const GlobalOptions& global, CommandAction& action);  // needs vision

void add_export_command(CLI::App& app, const GlobalOptions& global, CommandAction& action);
void add_predict_command(CLI::App& app, const GlobalOptions& global, CommandAction& action);
void add_explain_command(CLI::App& app, const GlobalOptions& global, CommandAction& action);  // needs vision
void add_search_command(CLI::App& app, const GlobalOptions& global, CommandAction& action);

// predict's and explain's inputs: CSV rows for a tabular model (`features` not empty), else
// images; image files need vision (OpenCV), IDX files do not.
data::InputSamples read_inputs(const std::vector<std::string>& inputs, const std::vector<int64_t>& shape,
                               const data::FeatureColumns& features);

// Image decoding and augmentation from the vision module, or nothing in a build without it.
data::ImageSupport image_support();

}  // namespace dltrain::app
