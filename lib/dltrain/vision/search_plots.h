// `dltrain search` plots: the objective of every trial against its number (with the best so
// far), and against each parameter (log axis when a parameter spans decades; choices by index).
#pragma once

#include <cstdint>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

namespace dltrain::vision {

struct SearchPlotTrial {
  int64_t number = 0;
  double value = 0.0;  // objective (pruned: the last reported value)
  bool pruned = false;
  nlohmann::json params;  // key path -> value
};

// Writes both PNGs; throws DataError when a file cannot be written.
void write_search_plots_png(const std::vector<SearchPlotTrial>& trials, const std::string& metric, bool maximize,
                            const std::string& objective_png, const std::string& params_png);

}  // namespace dltrain::vision
