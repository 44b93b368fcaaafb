// Samplers propose a trial's parameters from the space and the trials so far. Draws are seeded
// by (seed, trial number, attempt), so a study is reproducible from its seed with one worker.
#pragma once

#include <cstdint>
#include <memory>
#include <random>
#include <string>
#include <vector>

#include "dltrain/search/search_space.h"
#include "dltrain/search/trial.h"

namespace dltrain::search {

struct SamplerSpec {
  std::string type = "tpe";  // grid | random | tpe
  int64_t n_startup = 10;    // tpe: random trials before the model is used
  int64_t n_candidates = 24; // tpe: draws from l(x) per parameter, the best l/g wins
  double prior_weight = 1.0; // tpe
  bool multivariate = true;  // tpe: unconditional parameters share kernels (Optuna's multivariate=True)
};

class Sampler {
 public:
  virtual ~Sampler() = default;
  // `attempt` > 0 asks for another candidate for the same trial (the last broke a constraint).
  virtual Assignment sample(const SearchSpace& space, const std::vector<Trial>& history, int64_t number,
                            int64_t attempt) = 0;
};

// `maximize`: the direction of the objective (TPE ranks by it).
std::unique_ptr<Sampler> make_sampler(const SamplerSpec& spec, uint64_t seed, bool maximize);

// Shared draws: a portable uniform in [0, 1) and standard normal, and a parameter drawn from its
// prior (uniform in its own, possibly log, scale).
double draw_uniform(std::mt19937_64& engine);
double draw_normal(std::mt19937_64& engine);
nlohmann::json draw_from_prior(const Param& param, std::mt19937_64& engine);
std::mt19937_64 trial_engine(uint64_t seed, int64_t number, int64_t attempt);

}  // namespace dltrain::search
