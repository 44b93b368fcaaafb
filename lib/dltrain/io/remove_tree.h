// Deletes a file or a directory tree, like `rm -rf`, without std::filesystem::remove_all.
//
// Upstream LibTorch 2.x wheels export std::filesystem symbols from the older libstdc++ they are
// built with; in a program built with a newer GCC, remove_all binds to that copy and crashes
// (seen on the GPU check machine: `dltrain run --force` over an existing run segfaulted).
// POSIX nftw does the same walk with no C++ library in between. Header-only, so the test
// helpers use it without linking the io module.
#pragma once

#include <ftw.h>

#include <cerrno>
#include <cstdio>
#include <string>
#include <system_error>

namespace dltrain::io {

// Removes `path` and everything under it (symlinks themselves, not their targets). A missing
// path is not an error. Returns the first failure, or an empty error code.
inline std::error_code remove_tree(const std::string& path) {
  const auto remove_entry = [](const char* entry, const struct stat*, int, struct FTW*) {
    return std::remove(entry) == 0 ? 0 : errno;
  };
  const int result = nftw(path.c_str(), remove_entry, 32, FTW_DEPTH | FTW_PHYS);
  if (result == 0 || (result == -1 && errno == ENOENT)) return {};
  return std::error_code(result == -1 ? errno : result, std::generic_category());
}

}  // namespace dltrain::io
