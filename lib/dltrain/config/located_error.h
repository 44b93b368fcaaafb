// Errors found after loading (a missing data file, an unknown monitor metric) name the key
// first ("data.train: ..."); this prefixes the config position that key came from.
#pragma once

#include "dltrain/config/experiment_config.h"

namespace dltrain::config {

// "data.train: cannot find x" -> "cfg.yaml:4:10: data.train: cannot find x". Messages that do
// not start with a given key get the config file's name, or are returned unchanged.
std::string locate_message(const ExperimentConfig& config, const std::string& message);

// Runs `body`; a dltrain::Error escaping it is rethrown with its message located.
template <class Body>
auto with_config_positions(const ExperimentConfig& config, Body&& body) -> decltype(body());

}  // namespace dltrain::config

#include "dltrain/config/located_error_impl.h"
