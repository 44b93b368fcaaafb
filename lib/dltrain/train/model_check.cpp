// Reads the data (for the input shape and class count) unless the config gives both, builds the
// model, runs the summary.
#include "dltrain/train/model_check.h"

#include <fmt/format.h>
#include <torch/torch.h>

#include <nlohmann/json.hpp>

#include "dltrain/config/resolved_yaml.h"
#include "dltrain/data/image_dataset.h"
#include "dltrain/models/model_builder.h"
#include "dltrain/optim/optimizer_factory.h"
#include "dltrain/train/layer_freezing.h"

namespace dltrain::train {

ModelCheck check_model(const config::ExperimentConfig& config, const data::ImageSupport& images) {
  ModelCheck check;
  models::ModelInput input{config.model.input_shape, config.model.num_classes};
  if (!models::has_explicit_input(config.model)) {
    // Shapes and counts only: reading every pixel would make check as slow as a run's start.
    const auto data = data::load_dataset(config.data, static_cast<uint64_t>(config.seed), images, data::DataDepth::shapes);
    check.data_read = true;
    check.train_samples = data.train.size();
    check.val_samples = data.val.size();
    check.test_samples = data.test.size();
    input = models::model_input(config.model, data.input_shape, data.num_classes);
  }
  check.input_shape = input.input_shape;
  check.num_classes = input.num_classes;
  auto model = models::build_model(config.model, input);
  const LayerFreezing freezing(*model, config.model.freeze, config.train.unfreeze_at_epoch);  // shown as frozen
  check.model = models::summarize(*model, input.input_shape, config.data.batch_size);
  optim::build_optimizer(config.optimizer, *model);  // its options are checked too
  return check;
}

std::string format_model_check(const ModelCheck& check) {
  std::string shape;
  for (auto dim : check.input_shape) shape += (shape.empty() ? "" : ", ") + std::to_string(dim);
  const std::string data = check.data_read ? fmt::format("{} train / {} val / {} test samples", check.train_samples,
                                                         check.val_samples, check.test_samples)
                                           : "from model.input_shape and model.num_classes (no data read)";
  return fmt::format("input [{}], {} classes; {}\n\n", shape, check.num_classes, data) +
         models::format_summary_table(check.model);
}

nlohmann::ordered_json model_check_json(const config::ExperimentConfig& config, const ModelCheck& check) {
  nlohmann::ordered_json layers = nlohmann::ordered_json::array();
  for (const auto& layer : check.model.layers) {
    layers.push_back({{"name", layer.name},
                      {"type", layer.type},
                      {"output_shape", layer.output_shape},
                      {"parameters", layer.parameters},
                      {"training", layer.training},
                      {"macs", layer.macs}});
  }
  return {{"config", config::to_yaml(config)},
          {"data",
           {{"read", check.data_read},
            {"input_shape", check.input_shape},
            {"num_classes", check.num_classes},
            {"train_samples", check.train_samples},
            {"val_samples", check.val_samples},
            {"test_samples", check.test_samples}}},
          {"model",
           {{"type", config.model.type},
            {"parameters", check.model.parameters},
            {"trainable_parameters", check.model.trainable_parameters},
            {"macs_per_sample", check.model.macs},
            {"activation_bytes", check.model.activation_bytes()},
            {"batch_size", check.model.batch_size},
            {"layers", layers}}}};
}

}  // namespace dltrain::train
