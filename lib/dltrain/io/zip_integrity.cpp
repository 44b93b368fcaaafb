// A reader of just enough of the ZIP format (APPNOTE 6.3) to walk the central directory and
// recompute each entry's CRC-32. Every offset and length comes from the file, so each is
// bounds-checked before use; nothing is allocated from a size the file claims.
#include "dltrain/io/zip_integrity.h"

#include <zlib.h>

#include <algorithm>
#include <array>
#include <cstdint>
#include <fstream>
#include <iterator>

#include "dltrain/core/error.h"

namespace dltrain::io {
namespace {

constexpr uint32_t kEndRecordSignature = 0x06054b50;
constexpr uint32_t kZip64LocatorSignature = 0x07064b50;
constexpr uint32_t kZip64EndSignature = 0x06064b50;
constexpr uint32_t kCentralEntrySignature = 0x02014b50;
constexpr uint32_t kLocalHeaderSignature = 0x04034b50;
constexpr uint64_t kEndRecordSize = 22;
constexpr uint64_t kZip64LocatorSize = 20;
constexpr uint64_t kCentralEntrySize = 46;
constexpr uint64_t kLocalHeaderSize = 30;
constexpr uint32_t kSize32Escape = 0xFFFFFFFF;  // "the real value is in the ZIP64 extra field"
constexpr uint16_t kZip64ExtraId = 0x0001;
constexpr uint16_t kMethodStored = 0;
constexpr uint16_t kMethodDeflated = 8;
constexpr uint64_t kCrcChunk = 1u << 30;  // zlib takes 32-bit lengths

struct Entry {
  std::string name;
  uint16_t flags = 0;
  uint16_t method = 0;
  uint32_t crc = 0;
  uint64_t compressed_size = 0;
  uint64_t size = 0;
  uint64_t local_header = 0;
};

class ZipChecker {
 public:
  ZipChecker(const std::string& bytes, const std::string& path, const std::string& what)
      : bytes_(bytes), path_(path), what_(what) {}

  void check() {
    const uint64_t end_record = find_end_record();
    uint64_t entries = field(end_record + 10, 2, "the end record");
    uint64_t directory_size = field(end_record + 12, 4, "the end record");
    uint64_t directory_offset = field(end_record + 16, 4, "the end record");
    if (entries == 0xFFFF || directory_size == kSize32Escape || directory_offset == kSize32Escape) {
      read_zip64_end(end_record, entries, directory_size, directory_offset);
    }
    if (!fits(directory_offset, directory_size) || directory_offset + directory_size > end_record) {
      fail("its central directory lies outside the file");
    }
    if (entries == 0) fail("the archive has no entries");
    if (entries > directory_size / kCentralEntrySize) fail("the end record counts more entries than the directory holds");

    uint64_t at = directory_offset;
    const uint64_t directory_end = directory_offset + directory_size;
    for (uint64_t i = 0; i < entries; ++i) {
      const Entry entry = read_central_entry(at, directory_end);
      check_entry(entry, directory_offset);
    }
  }

 private:
  [[noreturn]] void fail(const std::string& why) const {
    throw DataError(what_ + " '" + path_ + "': " + why + "; the file is damaged");
  }

  [[noreturn]] void not_zip() const {
    throw DataError(what_ + " '" + path_ + "': not a ZIP archive (no end record): a truncated copy, or another kind of file");
  }

  bool fits(uint64_t offset, uint64_t length) const {
    return offset <= bytes_.size() && length <= bytes_.size() - offset;
  }

  // A little-endian field of `width` bytes.
  uint64_t field(uint64_t offset, int width, const char* part) const {
    if (!fits(offset, static_cast<uint64_t>(width))) fail(std::string(part) + " runs past the end of the file");
    uint64_t value = 0;
    for (int i = width - 1; i >= 0; --i) value = (value << 8) | static_cast<uint8_t>(bytes_[offset + i]);
    return value;
  }

  // The end record sits in the last 22 bytes plus an optional comment of up to 64 KiB.
  uint64_t find_end_record() const {
    if (bytes_.size() < kEndRecordSize) not_zip();
    const uint64_t last = bytes_.size() - kEndRecordSize;
    const uint64_t first = last > 0xFFFF ? last - 0xFFFF : 0;
    for (uint64_t at = last + 1; at-- > first;) {
      if (field(at, 4, "the end record") != kEndRecordSignature) continue;
      if (at + kEndRecordSize + field(at + 20, 2, "the end record") == bytes_.size()) return at;
    }
    not_zip();
  }

  void read_zip64_end(uint64_t end_record, uint64_t& entries, uint64_t& directory_size, uint64_t& directory_offset) const {
    if (end_record < kZip64LocatorSize) fail("its ZIP64 end locator is missing");
    const uint64_t locator = end_record - kZip64LocatorSize;
    if (field(locator, 4, "the ZIP64 end locator") != kZip64LocatorSignature) fail("its ZIP64 end locator is missing");
    const uint64_t zip64_end = field(locator + 8, 8, "the ZIP64 end locator");
    if (field(zip64_end, 4, "the ZIP64 end record") != kZip64EndSignature) fail("its ZIP64 end record is missing");
    entries = field(zip64_end + 32, 8, "the ZIP64 end record");
    directory_size = field(zip64_end + 40, 8, "the ZIP64 end record");
    directory_offset = field(zip64_end + 48, 8, "the ZIP64 end record");
  }

  Entry read_central_entry(uint64_t& at, uint64_t directory_end) const {
    const char* part = "a central directory entry";
    if (field(at, 4, part) != kCentralEntrySignature) fail("its central directory is corrupt");
    Entry entry;
    entry.flags = static_cast<uint16_t>(field(at + 8, 2, part));
    entry.method = static_cast<uint16_t>(field(at + 10, 2, part));
    entry.crc = static_cast<uint32_t>(field(at + 16, 4, part));
    entry.compressed_size = field(at + 20, 4, part);
    entry.size = field(at + 24, 4, part);
    const uint64_t name_length = field(at + 28, 2, part);
    const uint64_t extra_length = field(at + 30, 2, part);
    const uint64_t comment_length = field(at + 32, 2, part);
    entry.local_header = field(at + 42, 4, part);
    const uint64_t record_size = kCentralEntrySize + name_length + extra_length + comment_length;
    if (!fits(at, record_size) || at + record_size > directory_end) fail("a central directory entry runs past the directory");
    entry.name = bytes_.substr(at + kCentralEntrySize, name_length);
    if (entry.name.empty() || std::any_of(entry.name.begin(), entry.name.end(),
                                          [](char c) { return static_cast<uint8_t>(c) < 0x20 || c == 0x7f; })) {
      fail("an entry has an empty name or control characters in its name");
    }
    read_zip64_sizes(at + kCentralEntrySize + name_length, extra_length, entry);
    at += record_size;
    return entry;
  }

  // Fields escaped as 0xFFFFFFFF follow in the ZIP64 extra field, in this fixed order.
  void read_zip64_sizes(uint64_t extra, uint64_t extra_length, Entry& entry) const {
    const bool needs_size = entry.size == kSize32Escape;
    const bool needs_compressed = entry.compressed_size == kSize32Escape;
    const bool needs_offset = entry.local_header == kSize32Escape;
    if (!needs_size && !needs_compressed && !needs_offset) return;
    for (uint64_t at = extra; at + 4 <= extra + extra_length;) {
      const uint64_t id = field(at, 2, "an extra field");
      const uint64_t length = field(at + 2, 2, "an extra field");
      if (id == kZip64ExtraId) {
        uint64_t value = at + 4;
        const uint64_t end = value + length;
        auto next = [&](uint64_t& target) {
          if (value + 8 > end) fail("entry \"" + entry.name + "\" has a short ZIP64 extra field");
          target = field(value, 8, "a ZIP64 extra field");
          value += 8;
        };
        if (needs_size) next(entry.size);
        if (needs_compressed) next(entry.compressed_size);
        if (needs_offset) next(entry.local_header);
        return;
      }
      at += 4 + length;
    }
    fail("entry \"" + entry.name + "\" lacks the ZIP64 sizes its header promises");
  }

  void check_entry(const Entry& entry, uint64_t directory_offset) const {
    const std::string quoted = "entry \"" + entry.name + "\"";
    if (entry.flags & 1u) fail(quoted + " is encrypted");
    if (entry.method != kMethodStored && entry.method != kMethodDeflated) {
      fail(quoted + " uses compression method " + std::to_string(entry.method) + " (expected stored or deflated)");
    }
    const char* part = "a local entry header";
    if (field(entry.local_header, 4, part) != kLocalHeaderSignature) fail(quoted + " has no local header");
    const uint64_t name_length = field(entry.local_header + 26, 2, part);
    const uint64_t extra_length = field(entry.local_header + 28, 2, part);
    const uint64_t data = entry.local_header + kLocalHeaderSize + name_length + extra_length;
    if (name_length != entry.name.size() ||
        bytes_.compare(entry.local_header + kLocalHeaderSize, name_length, entry.name) != 0) {
      fail(quoted + " is named differently in its local header");
    }
    if (!fits(data, entry.compressed_size) || data + entry.compressed_size > directory_offset) {
      fail(quoted + " runs past the end of the file (a truncated copy?)");
    }
    const uint32_t crc = entry.method == kMethodStored ? stored_crc(entry, data) : inflated_crc(entry, data);
    if (crc != entry.crc) fail(quoted + " fails its CRC-32 check");
  }

  uint32_t stored_crc(const Entry& entry, uint64_t data) const {
    if (entry.compressed_size != entry.size) fail("stored entry \"" + entry.name + "\" has two different sizes");
    uLong crc = crc32(0L, Z_NULL, 0);
    for (uint64_t done = 0; done < entry.size;) {
      const uint64_t chunk = std::min(kCrcChunk, entry.size - done);
      crc = crc32(crc, reinterpret_cast<const Bytef*>(bytes_.data() + data + done), static_cast<uInt>(chunk));
      done += chunk;
    }
    return static_cast<uint32_t>(crc);
  }

  // Inflates through a fixed buffer: the output is only counted and checksummed.
  uint32_t inflated_crc(const Entry& entry, uint64_t data) const {
    const std::string quoted = "entry \"" + entry.name + "\"";
    z_stream stream{};
    if (inflateInit2(&stream, -MAX_WBITS) != Z_OK) throw DataError("zlib could not start inflating " + quoted);
    std::array<Bytef, 1 << 16> buffer;
    uLong crc = crc32(0L, Z_NULL, 0);
    uint64_t consumed = 0, produced = 0;
    int status = Z_OK;
    while (status != Z_STREAM_END) {
      if (stream.avail_in == 0) {
        const uint64_t chunk = std::min(kCrcChunk, entry.compressed_size - consumed);
        stream.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(bytes_.data() + data + consumed));
        stream.avail_in = static_cast<uInt>(chunk);
        consumed += chunk;
      }
      stream.next_out = buffer.data();
      stream.avail_out = buffer.size();
      status = inflate(&stream, Z_NO_FLUSH);
      const uint64_t out = buffer.size() - stream.avail_out;
      crc = crc32(crc, buffer.data(), static_cast<uInt>(out));
      produced += out;
      // No progress: the input ran out before the stream's end, or zlib cannot go on.
      const bool stuck = status == Z_BUF_ERROR && (stream.avail_in == 0 ? consumed == entry.compressed_size : out == 0);
      if ((status != Z_OK && status != Z_STREAM_END && status != Z_BUF_ERROR) || stuck || produced > entry.size) {
        inflateEnd(&stream);
        fail(quoted + " is not valid deflate data of the size its header gives");
      }
    }
    inflateEnd(&stream);
    if (produced != entry.size) fail(quoted + " inflates to a different size than its header gives");
    return static_cast<uint32_t>(crc);
  }

  const std::string& bytes_;
  const std::string& path_;
  const std::string& what_;
};

}  // namespace

void verify_zip_integrity(const std::string& bytes, const std::string& path, const std::string& what) {
  ZipChecker(bytes, path, what).check();
}

std::string read_intact_zip(const std::string& path, const std::string& what) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw DataError(what + " '" + path + "': cannot open for reading");
  std::string bytes{std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
  if (in.bad()) throw DataError(what + " '" + path + "': read failed");
  verify_zip_integrity(bytes, path, what);
  return bytes;
}

}  // namespace dltrain::io
