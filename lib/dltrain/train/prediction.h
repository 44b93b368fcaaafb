// `dltrain predict`: class probabilities for new inputs through the run's evaluation
// transforms (data.normalize, the same batch loader evaluation uses).
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "dltrain/data/image_dataset.h"
#include "dltrain/train/trained_model.h"

namespace dltrain::train {

struct Prediction {
  std::vector<int64_t> classes;       // top-k class indices, most probable first
  std::vector<double> probabilities;  // softmax probability of each
};

// One Prediction per input, in order. top_k is clamped to the number of classes.
std::vector<Prediction> predict(const TrainedModel& trained, const data::ImageSet& inputs, int64_t top_k);

// CSV: a header `input,class_1,probability_1,...` then one row per input (names quoted when needed).
std::string predictions_csv(const std::vector<std::string>& inputs, const std::vector<Prediction>& predictions,
                            const std::vector<std::string>& class_names);
// JSON: [{"input": ..., "top": [{"class": name, "index": i, "probability": p}, ...]}, ...]
std::string predictions_json(const std::vector<std::string>& inputs, const std::vector<Prediction>& predictions,
                             const std::vector<std::string>& class_names);

// The inputs as the model sees them: normalized float [N, C, H, W] (the evaluation transforms).
torch::Tensor model_inputs(const TrainedModel& trained, const data::ImageSet& inputs);

}  // namespace dltrain::train
