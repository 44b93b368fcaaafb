// Error kinds of dltrain. Each carries the process exit code documented in the README;
// they are thrown deep in the library and caught once at the command boundary.
#pragma once

#include <cstdio>
#include <stdexcept>
#include <string>

namespace dltrain {

// Messages quote user input (a YAML scalar, a CSV cell, a path); its control characters are
// escaped so an error stays one line and cannot drive the terminal.
inline std::string one_line(const std::string& text) {
  std::string line;
  line.reserve(text.size());
  for (const unsigned char c : text) {
    if (c == '\n') {
      line += "\\n";
    } else if (c < 0x20 || c == 0x7f) {
      char escaped[8];
      std::snprintf(escaped, sizeof escaped, "\\x%02x", c);
      line += escaped;
    } else {
      line += static_cast<char>(c);
    }
  }
  return line;
}

enum class ExitCode : int {
  ok = 0,
  internal = 1,     // runtime failure that is not the user's input
  config = 2,       // usage or config error
  data = 3,         // missing, corrupt or unreadable input, checkpoint or output location
  diverged = 4,     // non-finite loss or gradients under train.nonfinite: stop
  interrupted_int = 130,
  interrupted_term = 143,
};

// Base of every error dltrain reports: what() is one line a person can act on.
class Error : public std::runtime_error {
 public:
  Error(ExitCode code, const std::string& message) : std::runtime_error(one_line(message)), code_(code) {}
  ExitCode code() const { return code_; }

 private:
  ExitCode code_;
};

// Bad command line or config: "file:line:col: key.path: expected X, got Y".
class ConfigError : public Error {
 public:
  explicit ConfigError(const std::string& message) : Error(ExitCode::config, message) {}
};

// Input data, checkpoint or file problems: names the path and what is wrong with it.
class DataError : public Error {
 public:
  explicit DataError(const std::string& message) : Error(ExitCode::data, message) {}
};

// Training produced non-finite numbers and the config asked to stop.
class DivergedError : public Error {
 public:
  explicit DivergedError(const std::string& message) : Error(ExitCode::diverged, message) {}
};

// SIGINT/SIGTERM stopped the run after a resume checkpoint was written (exit 130/143).
class InterruptedError : public Error {
 public:
  InterruptedError(ExitCode code, const std::string& message) : Error(code, message) {}
};

// A distributed job lost a peer, timed out, or could not rendezvous (exit 1): names the rank.
class DistributedError : public Error {
 public:
  explicit DistributedError(const std::string& message) : Error(ExitCode::internal, message) {}
};

// A bug or an environment failure: still one line, still no stack trace.
class InternalError : public Error {
 public:
  explicit InternalError(const std::string& message) : Error(ExitCode::internal, message) {}
};

}  // namespace dltrain
