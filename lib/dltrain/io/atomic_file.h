// Crash-safe file replacement: write a temporary file in the same directory, flush and fsync
// it, then rename it over the target. A reader sees the old file or the new one, never half.
#pragma once

#include <functional>
#include <string>

namespace dltrain::io {

// `write_to` fills the temporary path; throws DataError when any step fails.
void replace_file_atomically(const std::string& path, const std::function<void(const std::string& temp_path)>& write_to);

void write_text_atomically(const std::string& path, const std::string& text);

// Writes `bytes` to `path` (created or truncated) and checks every write, so a full disk or a
// file-size limit is a DataError naming the path and the reason (ENOSPC, EFBIG).
void write_whole_file(const std::string& path, const std::string& bytes);

}  // namespace dltrain::io
