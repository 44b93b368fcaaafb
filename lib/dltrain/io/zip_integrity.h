// Checks a ZIP archive's structure and every entry's CRC-32 before anything parses it.
// LibTorch's checkpoints are ZIP files, and its loader trusts their contents: a flipped byte in
// a TorchScript type string can crash the process. A damaged file must instead be one DataError.
#pragma once

#include <string>

namespace dltrain::io {

// Throws DataError("<what> '<path>': ...") naming the first damaged entry, or the structural
// fault (no end record, an entry outside the file, an unsupported compression method).
// Stored (0) and deflated (8) entries are checked, ZIP64 included; `what` is e.g. "checkpoint".
void verify_zip_integrity(const std::string& bytes, const std::string& path, const std::string& what);

// Reads the whole file and verifies it; the bytes returned are the ones that were checked.
std::string read_intact_zip(const std::string& path, const std::string& what);

}  // namespace dltrain::io
