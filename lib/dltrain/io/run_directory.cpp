// create_directory (not create_directories) for the run itself: it fails when the name is
// taken, so two runs started at once can never share a directory.
#include "dltrain/io/run_directory.h"

#include <filesystem>

#include "dltrain/core/error.h"
#include "dltrain/io/remove_tree.h"

namespace dltrain::io {
namespace fs = std::filesystem;

namespace {

RunDirectory layout(const fs::path& path) {
  return {path.string(), (path / "checkpoints").string()};
}

}  // namespace

RunDirectory create_run_directory(const std::string& output, const std::string& name, bool force) {
  std::error_code ec;
  fs::create_directories(output, ec);
  if (ec) throw DataError("output: cannot create directory '" + output + "': " + ec.message());
  fs::path path = fs::path(output) / name;
  if (force && fs::exists(path)) {
    ec = remove_tree(path.string());
    if (ec) throw DataError("--force: cannot remove '" + path.string() + "': " + ec.message());
  }
  for (int suffix = 2; !fs::create_directory(path, ec); ++suffix) {
    if (ec) throw DataError("output: cannot create run directory '" + path.string() + "': " + ec.message());
    path = fs::path(output) / (name + "-" + std::to_string(suffix));
  }
  RunDirectory dir = layout(path);
  fs::create_directory(dir.checkpoints, ec);
  if (ec) throw DataError("cannot create '" + dir.checkpoints + "': " + ec.message());
  return dir;
}

RunDirectory open_run_directory(const std::string& path) {
  if (!fs::is_directory(path)) throw DataError("--run: '" + path + "' is not a directory");
  if (!fs::exists(fs::path(path) / "config.yaml")) {
    throw DataError("--run: '" + path + "' is not a dltrain run directory (no config.yaml)");
  }
  return layout(path);
}

}  // namespace dltrain::io
