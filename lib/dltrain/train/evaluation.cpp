// Predictions are gathered per batch on the CPU; the metric math lives in eval/.
#include "dltrain/train/evaluation.h"

#include <torch/torch.h>

#include <cmath>

#include "dltrain/models/batch_norm_folding.h"

namespace dltrain::train {

eval::ClassificationMetrics evaluate(const std::shared_ptr<models::Network>& model, data::BatchLoader& loader,
                                     int64_t num_classes, const c10::Device& device) {
  namespace F = torch::nn::functional;
  eval::ClassificationMetrics metrics(num_classes);
  const bool was_training = model->is_training();
  model->eval();
  // Inference mode, not just no-grad: tensors skip version counting and view tracking.
  c10::InferenceMode inference;
  const auto network = models::fold_batch_norm(model);
  const int64_t k = std::min<int64_t>(5, num_classes);
  loader.start_epoch(0);
  while (auto batch = loader.next()) {
    auto inputs = batch->inputs.to(device, /*non_blocking=*/true);
    auto targets = batch->targets.to(device, /*non_blocking=*/true);
    auto logits = network->forward(inputs);
    const auto loss_sum = F::cross_entropy(logits, targets, F::CrossEntropyFuncOptions().reduction(torch::kSum));
    metrics.add_loss(loss_sum.item<double>(), targets.size(0));
    auto top_k = std::get<1>(logits.topk(k, /*dim=*/1));
    metrics.add_top_k(top_k.eq(targets.unsqueeze(1)).any(1).sum().item<int64_t>());
    auto predicted = top_k.select(1, 0).to(torch::kCPU).contiguous();  // a column view is strided
    auto expected = batch->targets;
    const int64_t* p = predicted.data_ptr<int64_t>();
    const int64_t* t = expected.data_ptr<int64_t>();
    for (int64_t i = 0; i < expected.size(0); ++i) metrics.add(t[i], p[i]);
  }
  if (was_training) model->train();
  return metrics;
}

io::MetricRow split_metrics(const std::string& split, const eval::ClassificationMetrics& metrics,
                            const std::vector<std::string>& class_names) {
  io::MetricRow row = {
      {split + "/loss", metrics.loss()},
      {split + "/accuracy", metrics.accuracy()},
      {split + "/balanced_accuracy", metrics.balanced_accuracy()},
      {split + "/macro_f1", metrics.macro_f1()},
      {split + "/top5_accuracy", metrics.top5_accuracy()},
      {split + "/worst_recall", metrics.worst_recall()},
  };
  const auto scores = metrics.per_class();
  for (size_t c = 0; c < class_names.size(); ++c) {
    const bool present = c < scores.size() && scores[c].support > 0;
    row.push_back({split + "/recall/" + class_names[c], present ? scores[c].recall : std::nan("")});
  }
  return row;
}

}  // namespace dltrain::train
