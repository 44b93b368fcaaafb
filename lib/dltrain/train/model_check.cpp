// Reads the data (for the input shape and class count), builds the model, runs the summary.
#include "dltrain/train/model_check.h"

#include <fmt/format.h>
#include <torch/torch.h>

#include <nlohmann/json.hpp>

#include "dltrain/config/resolved_yaml.h"
#include "dltrain/data/image_dataset.h"
#include "dltrain/models/model_builder.h"
#include "dltrain/optim/optimizer_factory.h"

namespace dltrain::train {

ModelCheck check_model(const config::ExperimentConfig& config) {
  const auto data = data::load_dataset(config.data, static_cast<uint64_t>(config.seed));
  ModelCheck check;
  check.input_shape = data.input_shape;
  check.num_classes = data.num_classes;
  check.train_samples = data.train.size();
  check.val_samples = data.val.size();
  check.test_samples = data.test.size();
  auto model = models::build_model(config.model, {data.input_shape, data.num_classes});
  check.model = models::summarize(model, data.input_shape);
  optim::build_optimizer(config.optimizer, *model);  // its options are checked too
  return check;
}

std::string format_model_check(const ModelCheck& check) {
  std::string shape;
  for (auto dim : check.input_shape) shape += (shape.empty() ? "" : ", ") + std::to_string(dim);
  return fmt::format("input [{}], {} classes; {} train / {} val / {} test samples\n\n", shape, check.num_classes,
                     check.train_samples, check.val_samples, check.test_samples) +
         models::format_summary_table(check.model);
}

nlohmann::ordered_json model_check_json(const config::ExperimentConfig& config, const ModelCheck& check) {
  nlohmann::ordered_json layers = nlohmann::ordered_json::array();
  for (const auto& layer : check.model.layers) {
    layers.push_back({{"name", layer.name},
                      {"type", layer.type},
                      {"output_shape", layer.output_shape},
                      {"parameters", layer.parameters}});
  }
  return {{"config", config::to_yaml(config)},
          {"data",
           {{"input_shape", check.input_shape},
            {"num_classes", check.num_classes},
            {"train_samples", check.train_samples},
            {"val_samples", check.val_samples},
            {"test_samples", check.test_samples}}},
          {"model",
           {{"type", config.model.type},
            {"parameters", check.model.parameters},
            {"trainable_parameters", check.model.trainable_parameters},
            {"layers", layers}}}};
}

}  // namespace dltrain::train
