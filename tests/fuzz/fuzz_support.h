// What every harness asserts: bad input may only end in a dltrain::Error (a one-line message
// with an exit code). Any other exception escaping is a finding, so it aborts and libFuzzer
// saves the input; crashes, leaks and sanitizer reports are findings on their own.
#pragma once

#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <exception>
#include <string>
#include <unistd.h>

#include "dltrain/core/error.h"

namespace dltrain::fuzz {

template <class Body>
void expect_only_dltrain_errors(Body&& body) {
  try {
    body();
  } catch (const dltrain::Error& e) {
    const std::string message = e.what();
    if (message.empty() || message.find('\n') != std::string::npos) {
      std::fprintf(stderr, "error message is not one line: [%s]\n", message.c_str());
      std::abort();
    }
  } catch (const std::exception& e) {
    std::fprintf(stderr, "escaped exception (not a dltrain::Error): %s\n", e.what());
    std::abort();
  }
}

// Readers that take a path get the input through a file in this process's own directory.
class InputFile {
 public:
  InputFile(const char* name, const uint8_t* data, std::size_t size) {
    const char* base = std::getenv("TMPDIR");
    path_ = std::string(base ? base : "/tmp") + "/dltrain-fuzz-" + std::to_string(::getpid()) + "-" + name;
    std::FILE* file = std::fopen(path_.c_str(), "wb");
    if (!file) std::abort();
    if (size && std::fwrite(data, 1, size, file) != size) std::abort();
    std::fclose(file);
  }
  ~InputFile() { std::remove(path_.c_str()); }
  const std::string& path() const { return path_; }

 private:
  std::string path_;
};

}  // namespace dltrain::fuzz
