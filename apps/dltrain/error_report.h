// How both entry points (front_main.cpp and the engine's main.cpp) end on an error: one line on
// stderr, the documented exit code.
#pragma once

#include <cstdio>
#include <string>

#include "dltrain/core/error.h"

namespace dltrain::app {

inline int report_error(const char* message, ExitCode code) {
  std::string text(message);
  text = text.substr(0, text.find('\n'));  // never a stack trace
  std::fprintf(stderr, "error: %s\n", text.c_str());
  return static_cast<int>(code);
}

}  // namespace dltrain::app
