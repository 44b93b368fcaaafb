// A fresh temporary directory per test, removed afterwards.
#pragma once

#include <unistd.h>

#include <filesystem>
#include <string>

#include "dltrain/io/remove_tree.h"

struct TempDir {
  std::string path;
  TempDir() {
    std::string pattern = (std::filesystem::temp_directory_path() / "dltrain-test-XXXXXX").string();
    path = mkdtemp(pattern.data());
  }
  ~TempDir() { dltrain::io::remove_tree(path); }
  std::string file(const std::string& name) const { return path + "/" + name; }
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;
};
