// Helpers shared by the config tests: temp files and capturing the ConfigError a call throws.
#pragma once

#include "dltrain/core/error.h"
#include "dltrain/io/remove_tree.h"

#include <catch2/catch.hpp>

#include <filesystem>
#include <fstream>
#include <string>

namespace dltrain::config::test {

// A file under the temp directory, removed when the test ends.
class TempFile {
 public:
  TempFile(const std::string& filename, const std::string& text)
      : path_(std::filesystem::temp_directory_path() / ("dltrain-config-test-" + std::to_string(counter()++)) /
              filename) {
    std::filesystem::create_directories(path_.parent_path());
    std::ofstream(path_) << text;
  }
  ~TempFile() { dltrain::io::remove_tree(path_.parent_path().string()); }
  std::string path() const { return path_.string(); }

 private:
  static int& counter() {
    static int n = 0;
    return n;
  }
  std::filesystem::path path_;
};

// The message of the ConfigError `call` throws; fails the test if it throws nothing or another
// type, and checks the error carries the config exit code.
template <class Call>
std::string config_error(Call call) {
  try {
    call();
  } catch (const dltrain::ConfigError& e) {
    CHECK(e.code() == dltrain::ExitCode::config);
    return e.what();
  }
  FAIL("expected a ConfigError");
  return "";
}

}  // namespace dltrain::config::test
