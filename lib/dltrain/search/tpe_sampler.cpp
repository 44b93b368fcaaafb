// TPE: see tpe_sampler.h for the method and the defaults it follows.
#include "dltrain/search/tpe_sampler.h"

#include <algorithm>
#include <cmath>
#include <limits>

namespace dltrain::search {
namespace {

// Internal scale: log for log kinds; integers widened by 0.5 each side so ends get full mass.
std::pair<double, double> internal_bounds(const Param& param) {
  double lo = param.low, hi = param.high;
  if (param.integral()) lo -= 0.5, hi += 0.5;
  if (param.log_scale()) lo = std::log(lo), hi = std::log(hi);
  return {lo, hi};
}

double to_internal(const Param& param, const nlohmann::json& value) {
  if (param.kind == ParamKind::choice) {
    for (std::size_t i = 0; i < param.choices.size(); ++i) {
      if (param.choices[i] == value) return double(i);
    }
    return -1;  // a value no longer in the space (a resumed study with an edited spec)
  }
  const double v = value.get<double>();
  return param.log_scale() ? std::log(v) : v;
}

nlohmann::json from_internal(const Param& param, double x) {
  if (param.kind == ParamKind::choice) return param.choices[static_cast<std::size_t>(x)];
  double v = param.log_scale() ? std::exp(x) : x;
  if (!param.integral()) return std::min(std::max(v, param.low), param.high);
  return std::min<int64_t>(std::max<int64_t>(std::llround(v), int64_t(param.low)), int64_t(param.high));
}

// Optuna's default_weights: recent observations count fully, older ones ramp down past 25.
std::vector<double> observation_weights(std::size_t n) {
  std::vector<double> w(n, 1.0);
  if (n < 25) return w;
  const std::size_t ramp = n - 25;
  for (std::size_t i = 0; i < ramp; ++i) {
    w[i] = ramp == 1 ? 1.0 / double(n) : 1.0 / double(n) + (1.0 - 1.0 / double(n)) * double(i) / double(ramp - 1);
  }
  return w;
}

double normal_cdf(double z) { return 0.5 * std::erfc(-z / std::sqrt(2.0)); }

double log_sum_exp(const std::vector<double>& terms) {
  const double top = *std::max_element(terms.begin(), terms.end());
  if (!std::isfinite(top)) return top;
  double sum = 0;
  for (const double t : terms) sum += std::exp(t - top);
  return top + std::log(sum);
}

// log density (continuous) or log mass of the integer's cell (integers) under the mixture.
double log_likelihood(const ParzenEstimator& pe, const Param& param, double x) {
  std::vector<double> terms;
  if (param.kind == ParamKind::choice) {
    for (std::size_t k = 0; k < pe.weights.size(); ++k) {
      terms.push_back(std::log(pe.weights[k]) + std::log(pe.categorical[k][static_cast<std::size_t>(x)]));
    }
    return log_sum_exp(terms);
  }
  for (std::size_t k = 0; k < pe.weights.size(); ++k) {
    const double mu = pe.mus[k], s = pe.sigmas[k];
    const double mass = std::max(normal_cdf((pe.high - mu) / s) - normal_cdf((pe.low - mu) / s), 1e-300);
    double p;
    if (param.integral()) {
      const double v = std::llround(param.log_scale() ? std::exp(x) : x);
      double a = v - 0.5, b = v + 0.5;
      if (param.log_scale()) a = std::log(a), b = std::log(b);
      p = std::max(normal_cdf((b - mu) / s) - normal_cdf((a - mu) / s), 1e-300) / mass;
    } else {
      const double z = (x - mu) / s;
      p = std::exp(-0.5 * z * z) / (s * std::sqrt(2 * M_PI) * mass);
    }
    terms.push_back(std::log(pe.weights[k]) + std::log(std::max(p, 1e-300)));
  }
  return log_sum_exp(terms);
}

std::size_t pick_kernel(const std::vector<double>& weights, std::mt19937_64& engine) {
  double u = draw_uniform(engine);
  for (std::size_t k = 0; k < weights.size(); ++k) {
    if (u < weights[k]) return k;
    u -= weights[k];
  }
  return weights.size() - 1;
}

double draw_from(const ParzenEstimator& pe, const Param& param, std::mt19937_64& engine) {
  const std::size_t k = pick_kernel(pe.weights, engine);
  if (param.kind == ParamKind::choice) return double(pick_kernel(pe.categorical[k], engine));
  // Truncated normal by inverse CDF, so narrow kernels at an edge cost no rejections.
  const double lo = normal_cdf((pe.low - pe.mus[k]) / pe.sigmas[k]);
  const double hi = normal_cdf((pe.high - pe.mus[k]) / pe.sigmas[k]);
  const double u = std::min(std::max(lo + (hi - lo) * draw_uniform(engine), 1e-12), 1 - 1e-12);
  // Invert Phi by bisection on erfc: portable, and exact to double precision after 100 halvings.
  double a = -40, b = 40;
  for (int i = 0; i < 100; ++i) {
    const double m = 0.5 * (a + b);
    (normal_cdf(m) < u ? a : b) = m;
  }
  return std::min(std::max(pe.mus[k] + pe.sigmas[k] * 0.5 * (a + b), pe.low), pe.high);
}

class TpeSampler : public Sampler {
 public:
  TpeSampler(const SamplerSpec& spec, uint64_t seed, bool maximize) : spec_(spec), seed_(seed), maximize_(maximize) {}

  Assignment sample(const SearchSpace& space, const std::vector<Trial>& history, int64_t number,
                    int64_t attempt) override {
    auto engine = trial_engine(seed_, number, attempt);
    // Ranked: completed trials best first, then pruned ones (further along first).
    std::vector<const Trial*> ranked;
    for (const auto& t : history) {
      if (t.has_value && std::isfinite(t.value) && (t.state == TrialState::complete || t.state == TrialState::pruned))
        ranked.push_back(&t);
    }
    Assignment out = Assignment::object();
    if (int64_t(ranked.size()) < spec_.n_startup) {
      for (const auto& param : space.params) {
        if (is_active(param, out)) out[param.key] = draw_from_prior(param, engine);
      }
      return out;
    }
    const double sign = maximize_ ? -1.0 : 1.0;
    std::stable_sort(ranked.begin(), ranked.end(), [sign](const Trial* a, const Trial* b) {
      const bool a_done = a->state == TrialState::complete, b_done = b->state == TrialState::complete;
      if (a_done != b_done) return a_done;
      if (!a_done && a->epochs != b->epochs) return a->epochs > b->epochs;
      return sign * a->value < sign * b->value;
    });
    const std::size_t n_good =
        std::min<std::size_t>(static_cast<std::size_t>(std::ceil(0.1 * double(ranked.size()))), 25);
    for (const auto& param : space.params) {
      if (!is_active(param, out)) continue;
      std::vector<std::pair<int64_t, double>> good, bad;  // (trial number, internal value)
      for (std::size_t i = 0; i < ranked.size(); ++i) {
        const auto it = ranked[i]->params.find(param.key);
        if (it == ranked[i]->params.end()) continue;
        const double x = to_internal(param, *it);
        if (x < 0 && param.kind == ParamKind::choice) continue;
        (i < n_good ? good : bad).push_back({ranked[i]->number, x});
      }
      out[param.key] = from_internal(param, best_candidate(param, oldest_first(good), oldest_first(bad), engine));
    }
    return out;
  }

 private:
  static std::vector<double> oldest_first(std::vector<std::pair<int64_t, double>> values) {
    std::sort(values.begin(), values.end());
    std::vector<double> out;
    for (const auto& v : values) out.push_back(v.second);
    return out;
  }

  double best_candidate(const Param& param, const std::vector<double>& good, const std::vector<double>& bad,
                        std::mt19937_64& engine) const {
    const ParzenEstimator l = fit_parzen(param, good, spec_.prior_weight);
    const ParzenEstimator g = fit_parzen(param, bad, spec_.prior_weight);
    double best = 0, best_score = -std::numeric_limits<double>::infinity();
    for (int64_t i = 0; i < spec_.n_candidates; ++i) {
      const double x = draw_from(l, param, engine);
      const double score = log_likelihood(l, param, x) - log_likelihood(g, param, x);
      if (score > best_score) best = x, best_score = score;
    }
    return best;
  }

  SamplerSpec spec_;
  uint64_t seed_;
  bool maximize_;
};

}  // namespace

ParzenEstimator fit_parzen(const Param& param, const std::vector<double>& observations, double prior_weight) {
  ParzenEstimator pe;
  pe.weights = observation_weights(observations.size());
  pe.weights.push_back(prior_weight);
  double total = 0;
  for (const double w : pe.weights) total += w;
  for (double& w : pe.weights) w /= total;
  if (param.kind == ParamKind::choice) {
    const double k = double(param.choices.size());
    for (const double x : observations) {
      std::vector<double> row(param.choices.size(), prior_weight / k);
      row[static_cast<std::size_t>(x)] += 1.0;
      for (double& p : row) p /= 1.0 + prior_weight;
      pe.categorical.push_back(row);
    }
    pe.categorical.push_back(std::vector<double>(param.choices.size(), 1.0 / k));  // the prior kernel
    return pe;
  }
  std::tie(pe.low, pe.high) = internal_bounds(param);
  const double range = pe.high - pe.low;
  pe.mus = observations;
  pe.mus.push_back(0.5 * (pe.low + pe.high));
  // Bandwidth of each kernel: the larger gap to its sorted neighbours (endpoints not counted
  // for the outermost kernels), clipped to [range / min(100, n + 1), range].
  std::vector<std::size_t> order(pe.mus.size());
  for (std::size_t i = 0; i < order.size(); ++i) order[i] = i;
  std::stable_sort(order.begin(), order.end(), [&](std::size_t a, std::size_t b) { return pe.mus[a] < pe.mus[b]; });
  std::vector<double> with_ends = {pe.low};
  for (const auto i : order) with_ends.push_back(pe.mus[i]);
  with_ends.push_back(pe.high);
  std::vector<double> sorted_sigmas(order.size());
  for (std::size_t i = 0; i < order.size(); ++i) {
    sorted_sigmas[i] = std::max(with_ends[i + 1] - with_ends[i], with_ends[i + 2] - with_ends[i + 1]);
  }
  if (with_ends.size() >= 4) {
    sorted_sigmas.front() = with_ends[2] - with_ends[1];
    sorted_sigmas.back() = with_ends[with_ends.size() - 2] - with_ends[with_ends.size() - 3];
  }
  const double min_sigma = range / std::min(100.0, 1.0 + double(pe.mus.size()));
  pe.sigmas.assign(pe.mus.size(), range);
  for (std::size_t i = 0; i < order.size(); ++i) {
    pe.sigmas[order[i]] = std::min(std::max(sorted_sigmas[i], min_sigma), range);
  }
  pe.sigmas.back() = range;  // the prior: centred, as wide as the range
  return pe;
}

std::unique_ptr<Sampler> make_tpe_sampler(const SamplerSpec& spec, uint64_t seed, bool maximize) {
  return std::make_unique<TpeSampler>(spec, seed, maximize);
}

}  // namespace dltrain::search
