// Formulas from their papers' definitions; the tests pin them on hand-computed counts.
#include "dltrain/train/class_weights.h"

#include <cmath>
#include <string>

#include "dltrain/core/error.h"

namespace dltrain::train {
namespace {

std::vector<double> balanced(const std::vector<int64_t>& counts) {
  double total = 0.0;
  for (int64_t n : counts) total += double(n);
  const double k = double(counts.size());
  std::vector<double> weights;
  for (int64_t n : counts) weights.push_back(n > 0 ? total / (k * double(n)) : 0.0);
  return weights;
}

std::vector<double> effective_number(const std::vector<int64_t>& counts, double beta) {
  std::vector<double> weights;
  double sum = 0.0;
  int64_t present = 0;
  for (int64_t n : counts) {
    // beta = 0 gives 1 for every present class: no re-weighting, as the paper's limit says.
    const double w = n > 0 ? (1.0 - beta) / (1.0 - std::pow(beta, double(n))) : 0.0;
    weights.push_back(w);
    sum += w;
    present += n > 0;
  }
  for (double& w : weights) w *= double(present) / sum;
  return weights;
}

}  // namespace

std::vector<double> class_weights_for(const config::ClassWeightsConfig& config, const std::vector<int64_t>& counts) {
  if (config.type == "balanced") return balanced(counts);
  if (config.type == "effective_number") return effective_number(counts, config.beta);
  if (config.type == "given") {
    if (config.values.size() != counts.size()) {
      throw ConfigError("loss.class_weights.values: expected " + std::to_string(counts.size()) +
                        " weights (one per class), got " + std::to_string(config.values.size()));
    }
    return config.values;
  }
  return {};
}

}  // namespace dltrain::train
