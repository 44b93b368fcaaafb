// Errors found after loading (a missing data file, an unknown monitor metric) name the key
// first ("data.train: ..."); this prefixes the config position that key came from.
#pragma once

#include "dltrain/config/experiment_config.h"
#include "dltrain/core/error.h"

namespace dltrain::config {

// "data.train: cannot find x" -> "cfg.yaml:4:10: data.train: cannot find x". A message led by a
// key the file left at its default gets the file's name; any other message is returned as is.
std::string locate_message(const ExperimentConfig& config, const std::string& message);

// Runs `body`; a dltrain::Error escaping it is rethrown with its message located.
template <class Body>
auto with_config_positions(const ExperimentConfig& config, Body&& body) -> decltype(body()) {
  try {
    return body();
  } catch (const Error& e) {
    throw Error(e.code(), locate_message(config, e.what()));
  }
}

}  // namespace dltrain::config
