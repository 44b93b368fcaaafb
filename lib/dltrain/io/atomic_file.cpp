// fsync of the file before rename and of the directory after: the rename itself must survive
// a power loss too, or the directory may still name the old inode.
#include "dltrain/io/atomic_file.h"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <fstream>

#include "dltrain/core/error.h"

namespace dltrain::io {
namespace {

void fsync_path(const std::string& path, int flags) {
  int fd = ::open(path.c_str(), flags);
  if (fd < 0) throw DataError("cannot open '" + path + "' to sync it: " + std::strerror(errno));
  const int rc = ::fsync(fd);
  const int saved = errno;
  ::close(fd);
  if (rc != 0) throw DataError("cannot sync '" + path + "' to disk: " + std::strerror(saved));
}

}  // namespace

void replace_file_atomically(const std::string& path, const std::function<void(const std::string&)>& write_to) {
  namespace fs = std::filesystem;
  const fs::path target(path);
  const std::string temp = (target.parent_path() / ("." + target.filename().string() + ".tmp")).string();
  try {
    write_to(temp);
    fsync_path(temp, O_RDONLY);
    fs::rename(temp, target);
  } catch (const std::exception& e) {
    std::error_code ignored;
    fs::remove(temp, ignored);
    if (dynamic_cast<const Error*>(&e)) throw;
    throw DataError("cannot write '" + path + "': " + e.what());
  }
  const std::string dir = target.has_parent_path() ? target.parent_path().string() : ".";
  fsync_path(dir, O_RDONLY | O_DIRECTORY);
}

void write_text_atomically(const std::string& path, const std::string& text) {
  replace_file_atomically(path, [&](const std::string& temp) {
    std::ofstream out(temp, std::ios::binary | std::ios::trunc);
    out << text;
    out.flush();
    if (!out) throw DataError("cannot write '" + temp + "': " + std::strerror(errno));
  });
}

}  // namespace dltrain::io
