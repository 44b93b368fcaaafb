// The tree-structured Parzen estimator (Bergstra et al. 2011), with Optuna 3.1's defaults:
// after n_startup random trials, finished trials are split into the best gamma(n) =
// min(ceil(0.1 n), 25) ("good") and the rest; per parameter, Parzen estimators l(x) (good) and
// g(x) (rest) are fitted - truncated Gaussian mixtures in the parameter's (log) scale with a
// prior component and magic-clipped bandwidths, smoothed categoricals for choices - and the
// candidate with the largest l(x)/g(x) among n_candidates draws from l wins. Conditional
// parameters only see trials where they were active; pruned trials count as worse than all
// completed ones.
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
