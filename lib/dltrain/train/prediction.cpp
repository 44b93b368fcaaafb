// Inputs go through data::BatchLoader with evaluation options, so predict sees exactly the
// tensors `eval` sees and its top-1 agrees with eval's accuracy.
#include "dltrain/train/prediction.h"

#include <fmt/format.h>
#include <torch/torch.h>

#include <algorithm>
#include <nlohmann/json.hpp>

#include "dltrain/core/error.h"
#include "dltrain/data/batch_loader.h"
#include "dltrain/models/batch_norm_folding.h"

namespace dltrain::train {

torch::Tensor model_inputs(const TrainedModel& trained, const data::ImageSet& inputs) {
  data::BatchLoader loader(inputs, data::loader_options_for(trained.config.data, 0, /*training=*/false));
  loader.start_epoch(0);
  std::vector<torch::Tensor> batches;
  while (auto batch = loader.next()) batches.push_back(batch->inputs);
  return torch::cat(batches);
}

std::vector<Prediction> predict(const TrainedModel& trained, const data::ImageSet& inputs, int64_t top_k) {
  if (top_k < 1) throw ConfigError("--top-k: expected a positive number, got " + std::to_string(top_k));
  const int64_t k = std::min<int64_t>(top_k, static_cast<int64_t>(trained.class_names.size()));
  std::vector<Prediction> predictions;
  torch::NoGradGuard no_grad;
  trained.model->eval();
  const auto network = models::fold_batch_norm(trained.model);
  data::BatchLoader loader(inputs, data::loader_options_for(trained.config.data, 0, /*training=*/false));
  loader.start_epoch(0);
  while (auto batch = loader.next()) {
    // Ranked by logits as eval ranks them; probabilities read off the softmax.
    const auto logits = network->forward(batch->inputs);
    const auto indices = std::get<1>(logits.topk(k, 1));
    const auto values = torch::softmax(logits.to(torch::kFloat64), 1).gather(1, indices);
    for (int64_t i = 0; i < values.size(0); ++i) {
      Prediction p;
      for (int64_t j = 0; j < k; ++j) {
        p.classes.push_back(indices[i][j].item<int64_t>());
        p.probabilities.push_back(values[i][j].item<double>());
      }
      predictions.push_back(std::move(p));
    }
  }
  return predictions;
}

namespace {

std::string csv_field(const std::string& text) {
  if (text.find_first_of(",\"\n") == std::string::npos) return text;
  std::string quoted = "\"";
  for (char c : text) quoted += c == '"' ? std::string("\"\"") : std::string(1, c);
  return quoted + "\"";
}

}  // namespace

std::string predictions_csv(const std::vector<std::string>& inputs, const std::vector<Prediction>& predictions,
                            const std::vector<std::string>& class_names) {
  const std::size_t k = predictions.empty() ? 0 : predictions.front().classes.size();
  std::string text = "input";
  for (std::size_t j = 1; j <= k; ++j) text += fmt::format(",class_{0},probability_{0}", j);
  text += "\n";
  for (std::size_t i = 0; i < predictions.size(); ++i) {
    text += csv_field(inputs[i]);
    for (std::size_t j = 0; j < k; ++j) {
      text += "," + csv_field(class_names[static_cast<std::size_t>(predictions[i].classes[j])]) +
              fmt::format(",{:.6g}", predictions[i].probabilities[j]);
    }
    text += "\n";
  }
  return text;
}

std::string predictions_json(const std::vector<std::string>& inputs, const std::vector<Prediction>& predictions,
                             const std::vector<std::string>& class_names) {
  nlohmann::ordered_json rows = nlohmann::ordered_json::array();
  for (std::size_t i = 0; i < predictions.size(); ++i) {
    nlohmann::ordered_json top = nlohmann::ordered_json::array();
    for (std::size_t j = 0; j < predictions[i].classes.size(); ++j) {
      const auto c = predictions[i].classes[j];
      top.push_back({{"class", class_names[static_cast<std::size_t>(c)]},
                     {"index", c},
                     {"probability", predictions[i].probabilities[j]}});
    }
    rows.push_back({{"input", inputs[i]}, {"top", top}});
  }
  return rows.dump(2) + "\n";
}

}  // namespace dltrain::train
