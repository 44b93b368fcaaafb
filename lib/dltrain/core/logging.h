// Logging setup: spdlog to stderr (the console) and, during a run, to the run's train.log.
#pragma once

#include <string>

namespace dltrain::logging {

struct ConsoleOptions {
  std::string level = "info";  // trace | debug | info | warn | error | off
  bool quiet = false;          // only errors reach the console
};

// Installs the process-wide logger. Throws ConfigError for an unknown level name.
void setup_console(const ConsoleOptions& options);

// Raises the console's threshold to warnings (a distributed job's other ranks, whose info
// lines would repeat rank 0's); a stricter level stays.
void console_warnings_only();

// Mirrors every log line (at info and above) into a file until remove_file_log().
void add_file_log(const std::string& path);
void remove_file_log();

// Attaches a file log for the lifetime of the scope (detached on success and on errors alike).
class FileLogScope {
 public:
  explicit FileLogScope(const std::string& path) { add_file_log(path); }
  ~FileLogScope() { remove_file_log(); }
  FileLogScope(const FileLogScope&) = delete;
  FileLogScope& operator=(const FileLogScope&) = delete;
};

bool stderr_is_terminal();
bool console_is_quiet();

}  // namespace dltrain::logging
