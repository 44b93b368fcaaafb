// `dltrain predict --run RUN_DIR INPUT... [--top-k K] [--format csv|json] [--out FILE]`
#include <spdlog/spdlog.h>

#include <iostream>

#include "commands.h"
#include "dltrain/core/error.h"
#include "dltrain/data/input_files.h"
#include "dltrain/io/atomic_file.h"
#include "dltrain/train/prediction.h"
#ifdef DLTRAIN_WITH_VISION
#include "dltrain/vision/image_file.h"
#endif

namespace dltrain::app {

data::InputSamples read_inputs(const std::vector<std::string>& inputs, const std::vector<int64_t>& shape,
                               const data::FeatureColumns& features) {
  if (!features.names.empty()) return data::read_table_inputs(inputs, features);
#ifdef DLTRAIN_WITH_VISION
  return data::read_input_samples(inputs, shape, vision::read_image_file);
#else
  return data::read_input_samples(inputs, shape, {});
#endif
}

void add_predict_command(CLI::App& app, const GlobalOptions& global, CommandAction& action) {
  struct Options {
    std::string run, format = "csv", out;
    std::vector<std::string> inputs;
    int64_t top_k = 3;
  };
  auto options = std::make_shared<Options>();
  auto* cmd = app.add_subcommand("predict", "Predict the classes of new inputs with a trained run");
  cmd->add_option("--run", options->run, "Run directory (its checkpoints/last.pt)")->required();
  cmd->add_option("inputs", options->inputs,
                  "IDX image files, PNG/JPEG/BMP files or folders of them; CSV files for a table model")->required();
  cmd->add_option("--top-k", options->top_k, "Classes listed per input")->capture_default_str();
  cmd->add_option("--format", options->format, "csv or json")->check(CLI::IsMember({"csv", "json"}))->capture_default_str();
  cmd->add_option("--out", options->out, "File to write instead of stdout");
  cmd->footer(
      "Inputs pass through the run's evaluation transforms (data.normalize); image files are decoded\n"
      "to the model's channels and resized to its input. An IDX file's images are named FILE#INDEX.\n"
      "A model trained on a csv table takes CSV files with its feature columns (others are ignored),\n"
      "scaled as in training; each row is named FILE:LINE.\n"
      "Examples:\n"
      "  dltrain predict --run runs/quickstart /usr/share/datasets/fashion-mnist/t10k-images-idx3-ubyte.gz\n"
      "  dltrain predict --run runs/quickstart shoe.png photos/ --top-k 1 --format json --out predictions.json\n"
      "  dltrain predict --run runs/blobs new_rows.csv --top-k 1");
  cmd->callback([options, &global, &action] {
    action = [options, &global] {
      const auto trained = train::load_trained_model(options->run);
      const auto samples = read_inputs(options->inputs, trained.input_shape, trained.features);
      const auto predictions = train::predict(trained, samples.set, options->top_k);
      const bool json = options->format == "json" || global.json;
      const std::string text = json ? train::predictions_json(samples.names, predictions, trained.class_names)
                                    : train::predictions_csv(samples.names, predictions, trained.class_names);
      if (options->out.empty()) {
        std::cout << text << std::flush;
      } else {
        io::write_text_atomically(options->out, text);
        spdlog::info("wrote {} predictions to {}", predictions.size(), options->out);
      }
      return 0;
    };
  });
}

}  // namespace dltrain::app
