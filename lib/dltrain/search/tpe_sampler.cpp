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

// log density of kernel k at x: a choice's probability, an integer's cell mass, or the truncated
// normal density. Like Optuna 3.1 (its truncnorm.logpdf), the density is not divided by the
// kernel's sigma: broad kernels (the prior) weigh more, which explores more; measured better
// than the exact density on both benchmark functions (scripts/bench/search_vs_optuna.sh).
double component_log(const ParzenEstimator& pe, const Param& param, std::size_t k, double x) {
  if (param.kind == ParamKind::choice) return std::log(pe.categorical[k][static_cast<std::size_t>(x)]);
  const double mu = pe.mus[k], s = pe.sigmas[k];
  const double mass = std::max(normal_cdf((pe.high - mu) / s) - normal_cdf((pe.low - mu) / s), 1e-300);
  if (param.integral() && !param.log_scale()) {
    const double v = std::round(x);
    return std::log(std::max(normal_cdf((v + 0.5 - mu) / s) - normal_cdf((v - 0.5 - mu) / s), 1e-300) / mass);
  }
  const double z = (x - mu) / s;
  return -0.5 * z * z - 0.5 * std::log(2 * M_PI) - std::log(mass);
}

std::size_t pick_kernel(const std::vector<double>& weights, std::mt19937_64& engine) {
  double u = draw_uniform(engine);
  for (std::size_t k = 0; k < weights.size(); ++k) {
    if (u < weights[k]) return k;
    u -= weights[k];
  }
  return weights.size() - 1;
}

double draw_component(const ParzenEstimator& pe, const Param& param, std::size_t k, std::mt19937_64& engine) {
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

// Parameters estimated together: one kernel per observed trial (plus the prior) spans all of
// them, so a draw keeps a good trial's combination (multivariate TPE). A group of one is the
// independent TPE.
struct GroupEstimator {
  std::vector<const Param*> params;
  std::vector<ParzenEstimator> columns;
  std::vector<double> weights;

  GroupEstimator(std::vector<const Param*> group, const std::vector<std::vector<double>>& rows, double prior_weight)
      : params(std::move(group)) {
    for (std::size_t d = 0; d < params.size(); ++d) {
      std::vector<double> column;
      for (const auto& row : rows) column.push_back(row[d]);
      columns.push_back(fit_parzen(*params[d], column, prior_weight));
    }
    weights = columns.front().weights;
    if (params.size() < 2) return;
    // Optuna's multivariate bandwidth: Scott's rule as in BOHB, 0.2 n^(-1/(d+4)) of the range.
    const double scale = 0.2 * std::pow(double(std::max<std::size_t>(rows.size(), 1)), -1.0 / double(params.size() + 4));
    for (std::size_t d = 0; d < params.size(); ++d) {
      if (!params[d]->numeric()) continue;
      auto& pe = columns[d];
      const double range = pe.high - pe.low;
      const double min_sigma = range / std::min(100.0, 1.0 + double(pe.mus.size()));
      for (std::size_t k = 0; k + 1 < pe.sigmas.size(); ++k) pe.sigmas[k] = std::max(scale * range, min_sigma);
    }
  }

  double log_pdf(const std::vector<double>& xs) const {
    std::vector<double> terms(weights.size());
    for (std::size_t k = 0; k < weights.size(); ++k) {
      terms[k] = std::log(weights[k]);
      for (std::size_t d = 0; d < params.size(); ++d) terms[k] += component_log(columns[d], *params[d], k, xs[d]);
    }
    return log_sum_exp(terms);
  }

  std::vector<double> draw(std::mt19937_64& engine) const {
    const std::size_t k = pick_kernel(weights, engine);
    std::vector<double> xs;
    for (std::size_t d = 0; d < params.size(); ++d) xs.push_back(draw_component(columns[d], *params[d], k, engine));
    return xs;
  }
};

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
    // As Optuna: one split of all finished trials into good (the first n_good) and bad.
    const auto n_good = std::min<std::size_t>(static_cast<std::size_t>(std::ceil(0.1 * double(ranked.size()))), 25);

    // Unconditional parameters jointly (multivariate), then each conditional one on its own.
    std::vector<std::vector<const Param*>> groups;
    std::vector<const Param*> joint;
    for (const auto& param : space.params) {
      if (spec_.multivariate && param.when.empty()) {
        joint.push_back(&param);
      } else {
        groups.push_back({&param});
      }
    }
    if (!joint.empty()) groups.insert(groups.begin(), joint);
    for (const auto& group : groups) {
      if (group.size() == 1 && !is_active(*group.front(), out)) continue;
      std::vector<std::pair<int64_t, std::vector<double>>> good, bad;  // (trial number, internal values)
      for (std::size_t i = 0; i < ranked.size(); ++i) {
        std::vector<double> row;
        for (const Param* param : group) {
          const auto it = ranked[i]->params.find(param->key);
          const double x = it == ranked[i]->params.end() ? -1 : to_internal(*param, *it);
          if (it == ranked[i]->params.end() || (x < 0 && param->kind == ParamKind::choice)) break;
          row.push_back(x);
        }
        if (row.size() == group.size()) (i < n_good ? good : bad).push_back({ranked[i]->number, row});
      }
      const auto xs = best_candidate(group, oldest_first(good), oldest_first(bad), engine);
      for (std::size_t d = 0; d < group.size(); ++d) out[group[d]->key] = from_internal(*group[d], xs[d]);
    }
    return out;
  }

 private:
  static std::vector<std::vector<double>> oldest_first(std::vector<std::pair<int64_t, std::vector<double>>> rows) {
    std::sort(rows.begin(), rows.end());
    std::vector<std::vector<double>> out;
    for (auto& row : rows) out.push_back(std::move(row.second));
    return out;
  }

  std::vector<double> best_candidate(const std::vector<const Param*>& group, const std::vector<std::vector<double>>& good,
                                     const std::vector<std::vector<double>>& bad, std::mt19937_64& engine) const {
    const GroupEstimator l(group, good, spec_.prior_weight), g(group, bad, spec_.prior_weight);
    std::vector<double> best;
    double best_score = -std::numeric_limits<double>::infinity();
    for (int64_t i = 0; i < spec_.n_candidates; ++i) {
      const auto xs = l.draw(engine);
      const double score = l.log_pdf(xs) - g.log_pdf(xs);
      if (best.empty() || score > best_score) best = xs, best_score = score;
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
    // Optuna 3.1: each kernel puts prior_weight / (n + 1) on every choice plus 1 on its own.
    const double smoothing = prior_weight / double(observations.size() + 1);
    const double row_total = smoothing * double(param.choices.size()) + 1.0;
    for (const double x : observations) {
      std::vector<double> row(param.choices.size(), smoothing / row_total);
      row[static_cast<std::size_t>(x)] += 1.0 / row_total;
      pe.categorical.push_back(row);
    }
    pe.categorical.push_back(std::vector<double>(param.choices.size(), 1.0 / double(param.choices.size())));
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
