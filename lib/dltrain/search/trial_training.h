// Trials as ordinary dltrain runs: the trial's config (base + overrides + its parameters) is
// trained into <output>/trial-NNNN, reporting the objective metric after each epoch; and the
// architecture constraints, checked on the built model before any training.
#pragma once

#include <string>
#include <vector>

#include "dltrain/data/sample_transform.h"
#include "dltrain/search/search_runner.h"
#include "dltrain/search/search_spec.h"

namespace dltrain::search {

// `extra`: command-line --set overrides, applied after the spec's.
TrialObjective training_objective(const SearchSpec& spec, const std::vector<std::string>& extra,
                                  const data::ImageSupport& images);

// Parameters and MACs per sample from the model summary against spec.constraints; null when
// the spec has none.
ConstraintCheck model_constraints(const SearchSpec& spec, const std::vector<std::string>& extra,
                                  const data::ImageSupport& images);

// Loads the base config with each parameter at a value of its range (conditions respected), so
// a key the config does not know fails before any trial: ConfigError naming the spec.
void check_space_against_base(const SearchSpec& spec, const std::vector<std::string>& extra);

}  // namespace dltrain::search
