// Runs the built dltrain binary and captures its exit code, stdout and stderr.
#pragma once

#include <sys/wait.h>

#include <cstdio>
#include <fstream>
#include <sstream>
#include <string>

#include "file_contents.h"

struct CliResult {
  int exit_code = -1;
  std::string out, err;
};

// A message is one line: it ends in its only newline.
inline bool one_line(const std::string& text) { return !text.empty() && text.find('\n') == text.size() - 1; }

// `args` is appended to `program` as shell words; stdout and stderr go to files in `dir`.
// `env` ("NAME=value ...") is set for the command only. A process killed by a signal reports
// exit_code -1 or 128 + signal, depending on whether the shell exec'd it.
inline CliResult run_program(const std::string& program, const std::string& args, const std::string& dir,
                             const std::string& env = "") {
  const std::string out = dir + "/stdout.txt", err = dir + "/stderr.txt";
  const std::string command =
      env + (env.empty() ? "" : " ") + program + " " + args + " >" + out + " 2>" + err + " </dev/null";
  const int status = std::system(command.c_str());
  CliResult result;
  result.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  result.out = read_file(out);
  result.err = read_file(err);
  return result;
}

// The built dltrain binary (the front end, which starts dltrain-engine from its directory).
inline CliResult run_dltrain(const std::string& args, const std::string& dir, const std::string& env = "") {
  return run_program(DLTRAIN_BINARY, args, dir, env);
}

inline void write_file(const std::string& path, const std::string& text) { std::ofstream(path) << text; }
