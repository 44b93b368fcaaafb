// `dltrain explain --run RUN_DIR --input INPUT... --method gradcam|saliency|integrated_gradients --out DIR`
#include <fmt/format.h>
#include <spdlog/spdlog.h>
#include <torch/torch.h>

#include <filesystem>
#include <iostream>
#include <nlohmann/json.hpp>

#include "commands.h"
#include "dltrain/core/error.h"
#include "dltrain/data/csv_table.h"
#include "dltrain/io/atomic_file.h"
#include "dltrain/train/explanation.h"
#include "dltrain/train/prediction.h"
#include "dltrain/vision/heat_map_overlay.h"

namespace dltrain::app {
namespace {

// "shoe.png" -> "shoe", "t10k-images-idx3-ubyte.gz#7" -> "t10k-images-idx3-ubyte-7",
// "rows.csv:12" -> "rows-12".
std::string output_stem(const std::string& input) {
  const auto hash = input.find_last_of(input.find(".csv:") != std::string::npos ? ':' : '#');
  std::filesystem::path file(input.substr(0, hash));
  std::string stem = file.filename().string();
  for (const char* ext : {".csv", ".gz", ".png", ".jpg", ".jpeg", ".bmp", ".PNG", ".JPG", ".JPEG", ".BMP"}) {
    const std::string e(ext);
    if (stem.size() > e.size() && stem.compare(stem.size() - e.size(), e.size(), e) == 0) stem.resize(stem.size() - e.size());
  }
  return hash == std::string::npos ? stem : stem + "-" + input.substr(hash + 1);
}

// One row per feature, most influential first.
std::string attribution_csv(const std::vector<train::FeatureAttribution>& ranked) {
  std::string text = "feature,value,attribution\n";
  for (const auto& item : ranked)
    text += fmt::format("{},{:.6g},{:.6g}\n", data::csv_cell(item.feature), item.value, item.attribution);
  return text;
}

std::string map_csv(const std::vector<float>& map, int64_t width) {
  std::string text;
  for (std::size_t i = 0; i < map.size(); ++i) text += fmt::format("{:.6g}{}", map[i], (int64_t(i) + 1) % width ? "," : "\n");
  return text;
}

}  // namespace

void add_explain_command(CLI::App& app, const GlobalOptions& global, CommandAction& action) {
  struct Options {
    std::string run, out;
    std::vector<std::string> inputs;
    train::ExplainOptions explain;
  };
  auto options = std::make_shared<Options>();
  auto* cmd = app.add_subcommand("explain", "Show which pixels or features drive a trained model's prediction");
  cmd->add_option("--run", options->run, "Run directory (its checkpoints/last.pt)")->required();
  cmd->add_option("--input", options->inputs,
                  "PNG/JPEG/BMP files, folders of them, or IDX image files; CSV files for a table model")->required();
  cmd->add_option("--method", options->explain.method,
                  "auto (gradcam for images, gradient_x_input for tables), gradcam, saliency, integrated_gradients "
                  "or gradient_x_input (tables)")
      ->check(CLI::IsMember({"auto", "gradcam", "saliency", "integrated_gradients", "gradient_x_input"}))
      ->capture_default_str();
  cmd->add_option("--out", options->out, "Directory for the PNG overlays and raw maps")->required();
  cmd->add_option("--layer", options->explain.layer, "gradcam: layer or block name (default: the last feature map)");
  cmd->add_option("--target", options->explain.target, "Class index to explain (default: the predicted class)");
  cmd->add_option("--steps", options->explain.steps, "integrated_gradients: path steps")->capture_default_str();
  cmd->footer(
      "Per input: DIR/<name>.<method>.png (the heat map over the input) and DIR/<name>.<method>.csv\n"
      "(the raw map, one row per image row); DIR/explanations.json lists class, probability and layer.\n"
      "For a table model each CSV row gets DIR/<file>-<line>.<method>.csv: feature, value and signed\n"
      "attribution (positive pushes toward the class), most influential first.\n"
      "Examples:\n"
      "  dltrain explain --run runs/quickstart --input shoe.png --method gradcam --out explain/\n"
      "  dltrain explain --run runs/quickstart --input t10k-images-idx3-ubyte.gz --method saliency --out sal/\n"
      "  dltrain explain --run runs/blobs --input new_rows.csv --method integrated_gradients --out why/");
  cmd->callback([options, &global, &action] {
    action = [options, &global] {
      const auto trained = train::load_trained_model(options->run);
      const auto samples = read_inputs(options->inputs, trained.input_shape, trained.features);
      const auto inputs = train::model_inputs(trained, samples.set);
      const auto& shape = trained.input_shape;
      const bool table = !trained.features.names.empty();
      torch::Tensor baseline = torch::zeros({1, shape[0]});  // a table's baseline: the training mean
      if (!table) {
        data::ImageSet black{torch::zeros({1, shape[0], shape[1], shape[2]}, torch::kUInt8), torch::zeros({1}, torch::kInt64), {}};
        baseline = train::model_inputs(trained, black);
      }
      std::filesystem::create_directories(options->out);
      nlohmann::ordered_json report = nlohmann::ordered_json::array();
      for (int64_t i = 0; i < inputs.size(0); ++i) {
        const auto result = train::explain(*trained.model, inputs.slice(0, i, i + 1), baseline, options->explain);
        const std::string base =
            (std::filesystem::path(options->out) / (output_stem(samples.names[i]) + "." + result.method)).string();
        nlohmann::ordered_json entry = {{"input", samples.names[i]},
                                        {"class", trained.class_names[result.target]},
                                        {"predicted", trained.class_names[result.predicted]},
                                        {"probability", result.probability},
                                        {"method", result.method}};
        if (table) {
          const auto& f = trained.features;
          std::vector<double> values;
          for (size_t k = 0; k < f.names.size(); ++k)
            values.push_back(inputs[i][static_cast<int64_t>(k)].item<double>() * f.std[k] + f.mean[k]);
          const auto ranked = train::ranked_attributions(f.names, values, result.map);
          io::write_text_atomically(base + ".csv", attribution_csv(ranked));
          entry["top_feature"] = ranked.front().feature;
        } else {
          auto pixels = samples.set.images[i].contiguous();
          std::vector<uint8_t> image(pixels.data_ptr<uint8_t>(), pixels.data_ptr<uint8_t>() + pixels.numel());
          vision::write_heat_map_overlay(image, shape[0], shape[1], shape[2], result.map, base + ".png");
          io::write_text_atomically(base + ".csv", map_csv(result.map, shape[2]));
          entry["layer"] = result.layer;
          entry["overlay"] = base + ".png";
        }
        entry["map"] = base + ".csv";
        report.push_back(entry);
      }
      io::write_text_atomically((std::filesystem::path(options->out) / "explanations.json").string(), report.dump(2) + "\n");
      spdlog::info("explained {} inputs into {}", report.size(), options->out);
      if (global.json) std::cout << report.dump(2) << std::endl;
      return 0;
    };
  });
}

}  // namespace dltrain::app
