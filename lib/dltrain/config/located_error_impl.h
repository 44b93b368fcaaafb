// Template part of located_error.h.
#pragma once

#include "dltrain/core/error.h"

namespace dltrain::config {

template <class Body>
auto with_config_positions(const ExperimentConfig& config, Body&& body) -> decltype(body()) {
  try {
    return body();
  } catch (const Error& e) {
    throw Error(e.code(), locate_message(config, e.what()));
  }
}

}  // namespace dltrain::config
