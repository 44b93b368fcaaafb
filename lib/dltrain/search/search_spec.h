// The search spec (YAML): a base config (path or inline), overrides, an objective, a budget, a
// sampler, a pruner, a space and constraints. Parsing reports the project's one-line located
// errors (file:line:col: key: expected ...), exit 2.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "dltrain/config/experiment_config.h"
#include "dltrain/search/pruner.h"
#include "dltrain/search/sampler.h"
#include "dltrain/search/search_space.h"

namespace dltrain::search {

struct Constraints {
  int64_t max_params = 0;  // 0: no limit
  int64_t max_macs = 0;    // per sample; 0: no limit
};

struct SearchSpec {
  std::string path;       // the spec file, for messages
  std::string name;       // the study's name; default: the file's stem
  std::string base_path;  // the base config file, or "" when inline
  std::string base_yaml;  // inline base config as YAML text
  std::vector<std::string> overrides;  // spec `overrides` as key=value, applied before the trial's
  std::string metric;     // objective metric, e.g. val/accuracy
  bool maximize = true;
  int64_t trials = 0;         // budget: trials in the study; 0 with grid: the grid's size
  double wall_time_s = 0;     // budget: stop starting trials after this long (per invocation); 0: none
  SamplerSpec sampler;
  PrunerSpec pruner;
  SearchSpace space;
  Constraints constraints;
  std::string storage;  // SQLite file; default <output>/study.db
  std::string output;   // trial run directories and reports; default runs/<name>
  uint64_t seed = 0;
  int64_t max_retries = 2;
  double stale_after_s = 120;

  // What the stored study must match to be resumed with this spec.
  std::string fingerprint() const;
};

SearchSpec load_search_spec(const std::string& path);
SearchSpec load_search_spec_from_string(const std::string& yaml_text, const std::string& display_name);

// The trial's config: base + spec overrides + `extra` (command-line --set) + the assignment,
// named `name`. Throws ConfigError as load_config does.
config::ExperimentConfig trial_config(const SearchSpec& spec, const Assignment& assignment,
                                      const std::vector<std::string>& extra, const std::string& name);

}  // namespace dltrain::search
