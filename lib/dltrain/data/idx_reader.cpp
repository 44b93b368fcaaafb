// Reads MNIST-family IDX files, raw or gzip. Every size the header declares is checked against
// the bytes that really exist before memory is committed to it.
#include "dltrain/data/idx_reader.h"

#include <fmt/format.h>
#include <sys/stat.h>
#include <zlib.h>

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <memory>
#include <optional>

#include "dltrain/core/error.h"

namespace dltrain::data {
namespace {

constexpr uint64_t kMaxValues = uint64_t{1} << 31;  // int32-indexable, and far above any real IDX file
constexpr uint64_t kFirstChunk = uint64_t{1} << 20;  // gzip: first buffer; it doubles as data arrives
constexpr size_t kInputChunk = size_t{1} << 16;     // gzip: compressed bytes per fread

[[noreturn]] void fail(const std::string& path, const std::string& what) {
  throw DataError(fmt::format("idx: '{}': {}", path, what));
}

struct FileCloser {
  void operator()(std::FILE* file) const { std::fclose(file); }
};
using File = std::unique_ptr<std::FILE, FileCloser>;

// The bytes after the gzip layer: read() returns fewer than asked only at the end of the data.
class ByteSource {
 public:
  virtual ~ByteSource() = default;
  virtual size_t read(uint8_t* out, size_t n) = 0;
  // Bytes still to come when known without reading them (raw files), so sizes can be checked up front.
  virtual std::optional<uint64_t> remaining() const = 0;
  // Called after the last expected byte: throws if the container itself ended badly.
  virtual void finish() {}
};

class RawSource : public ByteSource {
 public:
  RawSource(File file, uint64_t size, std::string path) : file_(std::move(file)), remaining_(size), path_(std::move(path)) {}

  size_t read(uint8_t* out, size_t n) override {
    const size_t got = std::fread(out, 1, n, file_.get());
    if (got < n && std::ferror(file_.get())) fail(path_, fmt::format("read error: {}", std::strerror(errno)));
    remaining_ -= std::min<uint64_t>(remaining_, got);
    return got;
  }
  std::optional<uint64_t> remaining() const override { return remaining_; }

 private:
  File file_;
  uint64_t remaining_;
  std::string path_;
};

// Inflates gzip (several concatenated members allowed, as gzip(1) does) into the caller's buffer,
// so memory follows the data that actually arrives rather than what the header promises.
class GzipSource : public ByteSource {
 public:
  GzipSource(File file, std::string path) : file_(std::move(file)), path_(std::move(path)), input_(kInputChunk) {
    // 16 + MAX_WBITS: accept the gzip wrapper only, and check its CRC and length.
    if (inflateInit2(&stream_, 16 + MAX_WBITS) != Z_OK) fail(path_, "cannot initialise zlib");
  }
  ~GzipSource() override { inflateEnd(&stream_); }
  GzipSource(const GzipSource&) = delete;
  GzipSource& operator=(const GzipSource&) = delete;

  size_t read(uint8_t* out, size_t n) override {
    stream_.next_out = out;
    stream_.avail_out = static_cast<uInt>(n);
    while (stream_.avail_out > 0 && !ended_ && !cut_off_) {
      if (stream_.avail_in == 0 && !refill()) {
        cut_off_ = true;  // the compressed file ends inside a member
        break;
      }
      const int rc = inflate(&stream_, Z_NO_FLUSH);
      if (rc == Z_STREAM_END) {
        ended_ = !next_member();
      } else if (rc != Z_OK && rc != Z_BUF_ERROR) {
        fail(path_, fmt::format("corrupt gzip stream ({})", stream_.msg ? stream_.msg : zError(rc)));
      }
    }
    return n - stream_.avail_out;
  }
  std::optional<uint64_t> remaining() const override { return std::nullopt; }
  void finish() override {
    if (cut_off_) fail(path_, "truncated: the gzip stream is cut off before its end marker");
  }

 private:
  bool refill() {
    const size_t got = std::fread(input_.data(), 1, input_.size(), file_.get());
    if (got == 0 && std::ferror(file_.get())) fail(path_, fmt::format("read error: {}", std::strerror(errno)));
    stream_.next_in = input_.data();
    stream_.avail_in = static_cast<uInt>(got);
    return got > 0;
  }
  // After one member ends: another member may follow; anything else is trailing garbage.
  bool next_member() {
    if (stream_.avail_in == 0 && !refill()) return false;
    if (stream_.next_in[0] != 0x1f) fail(path_, "trailing data after the end of the gzip stream");
    inflateReset(&stream_);
    return true;
  }

  File file_;
  std::string path_;
  std::vector<uint8_t> input_;
  z_stream stream_{};
  bool ended_ = false;
  bool cut_off_ = false;
};

std::unique_ptr<ByteSource> open_source(const std::string& path) {
  File file(std::fopen(path.c_str(), "rb"));
  if (!file) fail(path, fmt::format("cannot open: {}", std::strerror(errno)));
  struct stat info {};
  if (fstat(fileno(file.get()), &info) != 0 || !S_ISREG(info.st_mode)) fail(path, "not a regular file");

  uint8_t magic[2] = {0, 0};
  const size_t got = std::fread(magic, 1, 2, file.get());
  std::rewind(file.get());
  if (got == 2 && magic[0] == 0x1f && magic[1] == 0x8b) return std::make_unique<GzipSource>(std::move(file), path);
  return std::make_unique<RawSource>(std::move(file), static_cast<uint64_t>(info.st_size), path);
}

uint32_t big_endian_u32(const uint8_t* bytes) {
  return (uint32_t{bytes[0]} << 24) | (uint32_t{bytes[1]} << 16) | (uint32_t{bytes[2]} << 8) | uint32_t{bytes[3]};
}

const char* type_name(uint8_t type) {
  switch (type) {
    case 0x08: return "unsigned byte";
    case 0x09: return "signed byte";
    case 0x0B: return "int16";
    case 0x0C: return "int32";
    case 0x0D: return "float32";
    case 0x0E: return "float64";
    default: return "unknown";
  }
}

// Grows the buffer only as far as the data has already proven to exist (doubling), so a header
// that declares 2^31 values on a small gzip file costs a few MiB, not 2 GiB.
std::vector<uint8_t> read_values(ByteSource& source, uint64_t declared, const std::string& path) {
  std::vector<uint8_t> values;
  uint64_t have = 0;
  // A raw file's size was already checked against the header, so it can be read in one go.
  uint64_t next = source.remaining() ? declared : std::min(declared, kFirstChunk);
  while (true) {
    values.reserve(next);  // exact: resize() alone may over-allocate up to twice
    values.resize(next);
    have += source.read(values.data() + have, next - have);
    if (have < next) fail(path, fmt::format("truncated: header declares {} values, file has {}", declared, have));
    if (have == declared) return values;
    next = std::min(declared, 2 * have);
  }
}

}  // namespace

IdxArray read_idx_file(const std::string& path, bool header_only) {
  auto source = open_source(path);

  uint8_t head[4];
  if (source->read(head, 4) != 4) fail(path, "too short for an IDX header (expected at least 4 bytes)");
  if (head[0] != 0 || head[1] != 0) {
    fail(path, fmt::format("not an IDX file: magic bytes are {:02x} {:02x}, expected 00 00", head[0], head[1]));
  }
  if (head[2] != 0x08) {
    fail(path, fmt::format("unsupported element type 0x{:02X} ({}); expected 0x08 (unsigned byte)", head[2],
                           type_name(head[2])));
  }
  const int ndims = head[3];
  if (ndims < 1 || ndims > 4) fail(path, fmt::format("header declares {} dimensions, expected 1 to 4", ndims));

  uint8_t dim_bytes[16];
  if (source->read(dim_bytes, 4 * ndims) != size_t(4 * ndims)) {
    fail(path, fmt::format("truncated header: {} dimensions declared, their sizes are missing", ndims));
  }
  IdxArray array;
  uint64_t declared = 1;
  for (int i = 0; i < ndims; ++i) {
    const uint32_t dim = big_endian_u32(dim_bytes + 4 * i);
    if (dim == 0) fail(path, fmt::format("dimension {} is 0, expected a positive size", i));
    declared *= dim;  // stays below 2^63: the running product is <= 2^31 and dim < 2^32
    if (declared > kMaxValues) fail(path, fmt::format("header declares more than 2^31 values (dimension {} = {})", i, dim));
    array.dims.push_back(dim);
  }

  if (header_only) return array;
  if (auto left = source->remaining(); left && *left != declared) {
    fail(path, fmt::format("{}: header declares {} values, file has {}", *left < declared ? "truncated" : "trailing data",
                           declared, *left));
  }
  array.values = read_values(*source, declared, path);
  uint8_t extra;
  if (source->read(&extra, 1) != 0) fail(path, fmt::format("trailing data: header declares {} values, file has more", declared));
  source->finish();
  return array;
}

namespace {

// "<prefix><suffix>" if it exists, else the ".gz" variant.
std::string find_idx_file(const std::string& prefix, const std::string& suffix) {
  const std::string raw = prefix + suffix;
  std::error_code ignored;
  if (std::filesystem::exists(raw, ignored)) return raw;
  if (std::filesystem::exists(raw + ".gz", ignored)) return raw + ".gz";
  throw DataError(fmt::format("idx: cannot find '{}' or '.gz'", raw));
}

}  // namespace

LabeledImages read_idx_split(const std::string& prefix, bool pixels) {
  const std::string images_path = find_idx_file(prefix, "-images-idx3-ubyte");
  const std::string labels_path = find_idx_file(prefix, "-labels-idx1-ubyte");
  IdxArray images = read_idx_file(images_path, /*header_only=*/!pixels);
  IdxArray labels = read_idx_file(labels_path);
  if (images.dims.size() != 3) {
    fail(images_path, fmt::format("expected images with 3 dimensions (count, rows, cols), got {}", images.dims.size()));
  }
  if (labels.dims.size() != 1) {
    fail(labels_path, fmt::format("expected labels with 1 dimension (count), got {}", labels.dims.size()));
  }
  if (images.dims[0] != labels.dims[0]) {
    throw DataError(fmt::format("idx: '{}' has {} images but '{}' has {} labels", images_path, images.dims[0],
                                labels_path, labels.dims[0]));
  }
  LabeledImages result;
  result.count = images.dims[0];
  result.rows = images.dims[1];
  result.cols = images.dims[2];
  result.pixels = std::move(images.values);
  result.labels.assign(labels.values.begin(), labels.values.end());
  return result;
}

}  // namespace dltrain::data
