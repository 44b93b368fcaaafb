// The tree-structured Parzen estimator (Bergstra et al. 2011), built like Optuna 3.1's TPE:
// random until n_startup trials finished; then the best gamma(n) = min(ceil(0.1 n), 25)
// finished trials are "good", the rest "bad" (pruned ones rank below every completed one), and
// Parzen estimators l(x) (good) and g(x) (bad) are fitted - truncated Gaussian mixtures in each
// parameter's (log) scale with a prior kernel and magic-clipped bandwidths, smoothed
// categoricals for choices. The candidate with the largest l(x)/g(x) among n_candidates draws
// from l wins. By default the unconditional parameters are estimated jointly (multivariate
// TPE, one kernel per trial across them, Scott's-rule bandwidths as in BOHB), which keeps good
// combinations together; each conditional parameter is estimated on its own from the trials
// that set it. Optuna's default is independent per parameter (`multivariate: false` here).
#pragma once

#include <memory>

#include "dltrain/search/sampler.h"

namespace dltrain::search {

std::unique_ptr<Sampler> make_tpe_sampler(const SamplerSpec& spec, uint64_t seed, bool maximize);

// A one-dimensional Parzen estimator in the parameter's internal scale, exposed for tests.
struct ParzenEstimator {
  std::vector<double> weights, mus, sigmas;  // numeric: mixture; weights sum to 1
  std::vector<std::vector<double>> categorical;  // choice: one distribution per kernel
  double low = 0, high = 1;
};

// `observations`: internal-scale values (log for log kinds; choice index for choices), oldest first.
ParzenEstimator fit_parzen(const Param& param, const std::vector<double>& observations, double prior_weight);

}  // namespace dltrain::search
