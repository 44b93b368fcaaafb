// Random and grid samplers, and the draws every sampler shares.
#include <cmath>

#include "dltrain/core/error.h"
#include "dltrain/data/seeded_shuffle.h"
#include "dltrain/search/sampler.h"
#include "dltrain/search/tpe_sampler.h"

namespace dltrain::search {

double draw_uniform(std::mt19937_64& engine) { return double(engine() >> 11) * 0x1.0p-53; }

double draw_normal(std::mt19937_64& engine) {
  // Box-Muller: portable, unlike std::normal_distribution.
  const double u1 = 1.0 - draw_uniform(engine), u2 = draw_uniform(engine);
  return std::sqrt(-2.0 * std::log(u1)) * std::cos(2.0 * M_PI * u2);
}

nlohmann::json draw_from_prior(const Param& param, std::mt19937_64& engine) {
  if (param.kind == ParamKind::choice) return param.choices[data::uniform_below(engine, param.choices.size())];
  if (param.integral() && !param.log_scale()) {
    const auto span = static_cast<uint64_t>(param.high - param.low) + 1;
    return static_cast<int64_t>(param.low) + static_cast<int64_t>(data::uniform_below(engine, span));
  }
  const double u = draw_uniform(engine);
  if (param.kind == ParamKind::uniform) return param.low + (param.high - param.low) * u;
  // Log kinds: uniform in log space; integers over [low - 0.5, high + 0.5] so the ends get full mass.
  const double lo = std::log(param.integral() ? param.low - 0.5 : param.low);
  const double hi = std::log(param.integral() ? param.high + 0.5 : param.high);
  const double v = std::exp(lo + (hi - lo) * u);
  if (!param.integral()) return v;
  return std::min<int64_t>(std::max<int64_t>(std::llround(v), int64_t(param.low)), int64_t(param.high));
}

std::mt19937_64 trial_engine(uint64_t seed, int64_t number, int64_t attempt) {
  return std::mt19937_64(data::mix_seed(data::mix_seed(seed, uint64_t(number)), uint64_t(attempt)));
}

namespace {

class RandomSampler : public Sampler {
 public:
  explicit RandomSampler(uint64_t seed) : seed_(seed) {}
  Assignment sample(const SearchSpace& space, const std::vector<Trial>&, int64_t number, int64_t attempt) override {
    auto engine = trial_engine(seed_, number, attempt);
    Assignment out = Assignment::object();
    for (const auto& param : space.params) {
      if (is_active(param, out)) out[param.key] = draw_from_prior(param, engine);
    }
    return out;
  }

 private:
  uint64_t seed_;
};

// Trial n is grid point n: workers and resumes agree on the order without sharing state.
class GridSampler : public Sampler {
 public:
  Assignment sample(const SearchSpace& space, const std::vector<Trial>&, int64_t number, int64_t) override {
    if (points_.empty()) points_ = grid_assignments(space);
    return points_.at(static_cast<std::size_t>(number) % points_.size());
  }

 private:
  std::vector<Assignment> points_;
};

}  // namespace

std::unique_ptr<Sampler> make_sampler(const SamplerSpec& spec, uint64_t seed, bool maximize) {
  if (spec.type == "random") return std::make_unique<RandomSampler>(seed);
  if (spec.type == "grid") return std::make_unique<GridSampler>();
  if (spec.type == "tpe") return make_tpe_sampler(spec, seed, maximize);
  throw ConfigError("sampler: expected grid, random or tpe, got \"" + spec.type + "\"");
}

}  // namespace dltrain::search
