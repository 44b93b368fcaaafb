// Error kinds of dltrain. Each carries the process exit code documented in the README;
// they are thrown deep in the library and caught once at the command boundary.
#pragma once

#include <stdexcept>
#include <string>

namespace dltrain {

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
  Error(ExitCode code, const std::string& message) : std::runtime_error(message), code_(code) {}
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

// A bug or an environment failure: still one line, still no stack trace.
class InternalError : public Error {
 public:
  explicit InternalError(const std::string& message) : Error(ExitCode::internal, message) {}
};

}  // namespace dltrain
