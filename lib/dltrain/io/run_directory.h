// The run directory: <output>/<name>, never overwritten. A taken name gets -2, -3, ...;
// `force` empties and reuses the exact name instead.
#pragma once

#include <string>

namespace dltrain::io {

struct RunDirectory {
  std::string path;         // <output>/<name>[-k]
  std::string checkpoints;  // <path>/checkpoints

  std::string file(const std::string& name) const { return path + "/" + name; }
};

// Throws DataError when the directory cannot be created.
RunDirectory create_run_directory(const std::string& output, const std::string& name, bool force);

// An existing run directory (for eval / resume); throws DataError when it is not one.
RunDirectory open_run_directory(const std::string& path);

}  // namespace dltrain::io
