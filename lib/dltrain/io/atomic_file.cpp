// fsync of the file before rename and of the directory after: the rename itself must survive
// a power loss too, or the directory may still name the old inode.
#include "dltrain/io/atomic_file.h"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <filesystem>

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

void write_whole_file(const std::string& path, const std::string& bytes) {
  const int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  if (fd < 0) throw DataError("cannot create '" + path + "': " + std::strerror(errno));
  std::size_t done = 0;
  while (done < bytes.size()) {
    const ssize_t n = ::write(fd, bytes.data() + done, bytes.size() - done);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) {
      const int saved = n < 0 ? errno : ENOSPC;
      ::close(fd);
      throw DataError("cannot write '" + path + "': " + std::strerror(saved));
    }
    done += static_cast<std::size_t>(n);
  }
  if (::close(fd) != 0) throw DataError("cannot write '" + path + "': " + std::strerror(errno));
}

void write_text_atomically(const std::string& path, const std::string& text) {
  replace_file_atomically(path, [&](const std::string& temp) { write_whole_file(temp, text); });
}

}  // namespace dltrain::io
