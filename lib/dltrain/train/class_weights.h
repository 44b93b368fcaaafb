// Per-class loss weights (loss.class_weights) computed from the training split's label counts.
#pragma once

#include <cstdint>
#include <vector>

#include "dltrain/config/experiment_config.h"

namespace dltrain::train {

// One weight per class (counts.size() classes), or empty for type none:
//   balanced          w_c = n / (k * n_c)                        (scikit-learn's "balanced")
//   effective_number  w_c = (1 - beta) / (1 - beta^n_c), scaled so that the weights of the
//                     classes present sum to their number (Cui et al. 2019, "class-balanced loss")
//   given             the configured values
// A class with no training samples gets weight 0 (it contributes no loss terms anyway).
// Throws ConfigError naming loss.class_weights.values when their count is not the class count.
std::vector<double> class_weights_for(const config::ClassWeightsConfig& config, const std::vector<int64_t>& counts);

}  // namespace dltrain::train
