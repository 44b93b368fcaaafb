// The ZIP check that stands between a file on disk and LibTorch's archive reader: real
// checkpoints pass, and each kind of damage is one DataError naming the file and the entry.
#include <catch2/catch.hpp>
#include <torch/torch.h>
#include <zlib.h>

#include "dltrain/core/error.h"
#include "dltrain/io/checkpoint.h"
#include "dltrain/io/zip_integrity.h"
#include "file_contents.h"
#include "temp_dir.h"

using namespace dltrain;

namespace {

std::string checkpoint_bytes(const TempDir& tmp) {
  const std::string path = tmp.path + "/good.pt";
  torch::nn::Linear model(4, 3);
  io::CheckpointInfo info;
  info.class_names = {"a", "b", "c"};
  info.input_shape = {4};
  io::save_checkpoint(path, *model, nullptr, info);
  return read_file(path);
}

void put(std::string& out, uint64_t value, int width) {
  for (int i = 0; i < width; ++i) out += static_cast<char>((value >> (8 * i)) & 0xFF);
}

uint32_t crc_of(const std::string& data) {
  return static_cast<uint32_t>(crc32(0L, reinterpret_cast<const Bytef*>(data.data()), static_cast<uInt>(data.size())));
}

// A ZIP of stored entries, written field by field after APPNOTE 6.3. With `zip64`, every size
// and offset is escaped to 0xFFFFFFFF and given in ZIP64 extra fields and end records, as
// LibTorch writes archives over 4 GiB.
std::string build_zip(const std::vector<std::pair<std::string, std::string>>& entries, bool zip64) {
  const uint64_t escape = 0xFFFFFFFF;
  std::string zip, directory;
  for (const auto& [name, data] : entries) {
    const uint64_t offset = zip.size();
    put(zip, 0x04034b50, 4);
    put(zip, 45, 2);
    put(zip, 0, 2);  // flags
    put(zip, 0, 2);  // stored
    put(zip, 0, 4);  // time, date
    put(zip, crc_of(data), 4);
    put(zip, zip64 ? escape : data.size(), 4);
    put(zip, zip64 ? escape : data.size(), 4);
    put(zip, name.size(), 2);
    put(zip, zip64 ? 20 : 0, 2);
    zip += name;
    if (zip64) {
      put(zip, 1, 2), put(zip, 16, 2), put(zip, data.size(), 8), put(zip, data.size(), 8);
    }
    zip += data;

    put(directory, 0x02014b50, 4);
    put(directory, 45, 2), put(directory, 45, 2), put(directory, 0, 2), put(directory, 0, 2);
    put(directory, 0, 4);
    put(directory, crc_of(data), 4);
    put(directory, zip64 ? escape : data.size(), 4);
    put(directory, zip64 ? escape : data.size(), 4);
    put(directory, name.size(), 2);
    put(directory, zip64 ? 28 : 0, 2);
    put(directory, 0, 2), put(directory, 0, 2), put(directory, 0, 2), put(directory, 0, 4);  // comment .. attributes
    put(directory, zip64 ? escape : offset, 4);
    directory += name;
    if (zip64) {
      put(directory, 1, 2), put(directory, 24, 2);
      put(directory, data.size(), 8), put(directory, data.size(), 8), put(directory, offset, 8);
    }
  }
  const uint64_t directory_offset = zip.size();
  zip += directory;
  if (zip64) {
    const uint64_t zip64_end = zip.size();
    put(zip, 0x06064b50, 4), put(zip, 44, 8), put(zip, 45, 2), put(zip, 45, 2), put(zip, 0, 4), put(zip, 0, 4);
    put(zip, entries.size(), 8), put(zip, entries.size(), 8), put(zip, directory.size(), 8);
    put(zip, directory_offset, 8);
    put(zip, 0x07064b50, 4), put(zip, 0, 4), put(zip, zip64_end, 8), put(zip, 1, 4);
  }
  put(zip, 0x06054b50, 4), put(zip, 0, 2), put(zip, 0, 2);
  put(zip, zip64 ? 0xFFFF : entries.size(), 2), put(zip, zip64 ? 0xFFFF : entries.size(), 2);
  put(zip, zip64 ? escape : directory.size(), 4), put(zip, zip64 ? escape : directory_offset, 4);
  put(zip, 0, 2);
  return zip;
}

void check_damaged(const std::string& bytes, const std::string& expected) {
  try {
    io::verify_zip_integrity(bytes, "ckpt.pt", "checkpoint");
    FAIL("expected a DataError containing: " << expected);
  } catch (const DataError& e) {
    CHECK_THAT(e.what(), Catch::StartsWith("checkpoint 'ckpt.pt': ") && Catch::Contains(expected));
    CHECK(e.code() == ExitCode::data);
  }
}

}  // namespace

TEST_CASE("a checkpoint written by dltrain passes the ZIP check") {
  TempDir tmp;
  CHECK_NOTHROW(io::verify_zip_integrity(checkpoint_bytes(tmp), "good.pt", "checkpoint"));
}

TEST_CASE("a flipped byte in a stored entry fails that entry's CRC-32") {
  TempDir tmp;
  std::string bytes = checkpoint_bytes(tmp);
  const auto at = bytes.find("dltrain_format");  // a key inside the archive's data.pkl
  REQUIRE(at != std::string::npos);
  bytes[at] ^= 0x20;
  check_damaged(bytes, "entry \"archive/data.pkl\" fails its CRC-32 check");
}

TEST_CASE("a flipped byte in a deflated entry is caught before LibTorch reads its code") {
  TempDir tmp;
  std::string bytes = checkpoint_bytes(tmp);
  const std::string name = "archive/code/__torch__.py";
  const auto header = bytes.find(name) - 30;  // the first occurrence is the local header's name
  REQUIRE(static_cast<uint8_t>(bytes[header + 8]) == 8);  // LibTorch deflates its code files
  const size_t name_length = static_cast<uint8_t>(bytes[header + 26]);
  const size_t extra_length = static_cast<uint8_t>(bytes[header + 28]) | static_cast<uint8_t>(bytes[header + 29]) << 8;
  bytes[header + 30 + name_length + extra_length + 40] ^= 0x55;
  check_damaged(bytes, "entry \"" + name + "\"");
}

TEST_CASE("truncated files and other kinds of file are not ZIP archives") {
  TempDir tmp;
  const std::string bytes = checkpoint_bytes(tmp);
  check_damaged(bytes.substr(0, bytes.size() / 2), "not a ZIP archive");
  check_damaged(bytes.substr(0, bytes.size() - 1), "not a ZIP archive");
  check_damaged("name: not a checkpoint\n", "not a ZIP archive");
  check_damaged("", "not a ZIP archive");
}

TEST_CASE("ZIP64 archives are read through their ZIP64 records") {
  const std::vector<std::pair<std::string, std::string>> entries = {{"archive/a", "hello"}, {"archive/b", "world!"}};
  CHECK_NOTHROW(io::verify_zip_integrity(build_zip(entries, true), "big.pt", "checkpoint"));
  CHECK_NOTHROW(io::verify_zip_integrity(build_zip(entries, false), "small.pt", "checkpoint"));

  std::string damaged = build_zip(entries, true);
  damaged[damaged.find("world!")] = 'W';
  check_damaged(damaged, "entry \"archive/b\" fails its CRC-32 check");
}

TEST_CASE("structural faults name what is wrong") {
  const std::vector<std::pair<std::string, std::string>> entries = {{"archive/a", "hello"}};
  const std::string zip = build_zip(entries, false);
  const size_t central = zip.find("PK\x01\x02");
  REQUIRE(central != std::string::npos);

  std::string compressed = zip;
  compressed[central + 10] = 12;  // bzip2
  check_damaged(compressed, "compression method 12");

  std::string encrypted = zip;
  encrypted[central + 8] = 1;
  check_damaged(encrypted, "is encrypted");

  std::string moved = zip;
  moved[central + 42] = 3;  // the local header is no longer where the directory says
  check_damaged(moved, "has no local header");

  std::string oversized = zip;
  oversized[central + 20] = oversized[central + 24] = 100;  // sizes beyond the file
  check_damaged(oversized, "runs past the end of the file");

  std::string renamed = zip;
  renamed[renamed.rfind("archive/a") + 8] = 'z';  // only the directory's copy of the name
  check_damaged(renamed, "named differently in its local header");

  std::string no_entries = build_zip({}, false);
  check_damaged(no_entries, "has no entries");
}

TEST_CASE("the checkpoint that crashed LibTorch's TorchScript parser is now a DataError") {
  const std::string path = std::string(DLTRAIN_SOURCE_DIR) + "/tests/fuzz/corpus/checkpoint/regression-jit-type-parser.pt";
  try {
    io::read_checkpoint_info(path);
    FAIL("expected a DataError");
  } catch (const DataError& e) {
    CHECK_THAT(e.what(), Catch::Contains(path) && Catch::Contains("the file is damaged"));
  }
}
