// Hand-written protobuf: Event fields 1 (wall_time, double), 2 (step, int64), 3 (file_version,
// string), 5 (summary); Summary field 1 (value); Value fields 1 (tag), 2 (simple_value, float).
#include "dltrain/io/tfevents.h"

#include <unistd.h>

#include <algorithm>
#include <array>
#include <chrono>
#include <cstring>
#include <filesystem>
#include <iterator>

#include "dltrain/core/error.h"
#include "dltrain/io/atomic_file.h"

namespace dltrain::io {
namespace {

namespace fs = std::filesystem;

constexpr const char* kPrefix = "events.out.tfevents.";

void put_varint(std::string& out, uint64_t value) {
  while (value >= 0x80) {
    out.push_back(static_cast<char>((value & 0x7f) | 0x80));
    value >>= 7;
  }
  out.push_back(static_cast<char>(value));
}

template <class T>
void put_fixed(std::string& out, T value) {  // little-endian, as protobuf and TFRecord want
  unsigned char bytes[sizeof(T)];
  std::memcpy(bytes, &value, sizeof(T));
  out.append(reinterpret_cast<const char*>(bytes), sizeof(T));
}

void put_bytes_field(std::string& out, int field, const std::string& bytes) {
  put_varint(out, (static_cast<uint64_t>(field) << 3) | 2);
  put_varint(out, bytes.size());
  out += bytes;
}

// A read cursor over one protobuf message.
struct Reader {
  const std::string& data;
  size_t pos = 0;
  bool done() const { return pos >= data.size(); }
  uint64_t varint() {
    uint64_t value = 0;
    for (int shift = 0; shift < 64; shift += 7) {
      if (pos >= data.size()) throw DataError("truncated varint");
      const auto byte = static_cast<unsigned char>(data[pos++]);
      value |= static_cast<uint64_t>(byte & 0x7f) << shift;
      if (!(byte & 0x80)) return value;
    }
    throw DataError("bad varint");
  }
  template <class T>
  T fixed() {
    if (pos + sizeof(T) > data.size()) throw DataError("truncated field");
    T value;
    std::memcpy(&value, data.data() + pos, sizeof(T));
    pos += sizeof(T);
    return value;
  }
  std::string bytes() {
    const uint64_t size = varint();
    if (pos + size > data.size()) throw DataError("truncated field");
    std::string out = data.substr(pos, size);
    pos += size;
    return out;
  }
  void skip(int wire_type) {
    if (wire_type == 0) varint();
    else if (wire_type == 1) fixed<uint64_t>();
    else if (wire_type == 2) bytes();
    else if (wire_type == 5) fixed<uint32_t>();
    else throw DataError("unsupported wire type " + std::to_string(wire_type));
  }
};

void decode_value(const std::string& message, TfEvent& event) {
  Reader r{message};
  while (!r.done()) {
    const uint64_t key = r.varint();
    if (key == ((1 << 3) | 2)) event.tag = r.bytes();
    else if (key == ((2 << 3) | 5)) event.value = r.fixed<float>();
    else r.skip(static_cast<int>(key & 7));
  }
}

TfEvent decode_event(const std::string& message) {
  TfEvent event;
  Reader r{message};
  while (!r.done()) {
    const uint64_t key = r.varint();
    if (key == ((1 << 3) | 1)) {
      event.wall_time = r.fixed<double>();
    } else if (key == ((2 << 3) | 0)) {
      event.step = static_cast<int64_t>(r.varint());
    } else if (key == ((3 << 3) | 2)) {
      event.file_version = r.bytes();
    } else if (key == ((5 << 3) | 2)) {
      const std::string summary = r.bytes();
      Reader s{summary};
      while (!s.done()) {
        const uint64_t summary_key = s.varint();
        if (summary_key == ((1 << 3) | 2)) decode_value(s.bytes(), event);
        else s.skip(static_cast<int>(summary_key & 7));
      }
    } else {
      r.skip(static_cast<int>(key & 7));
    }
  }
  return event;
}

double now_seconds() {
  return std::chrono::duration<double>(std::chrono::system_clock::now().time_since_epoch()).count();
}

std::vector<std::string> event_files(const std::string& run_directory) {
  std::vector<std::string> files;
  std::error_code ignored;
  for (const auto& entry : fs::directory_iterator(run_directory, ignored)) {
    if (entry.path().filename().string().rfind(kPrefix, 0) == 0) files.push_back(entry.path().string());
  }
  std::sort(files.begin(), files.end());
  return files;
}

}  // namespace

uint32_t crc32c(const void* data, size_t size) {
  static const auto table = [] {
    std::array<uint32_t, 256> t{};
    for (uint32_t i = 0; i < 256; ++i) {
      uint32_t c = i;
      for (int k = 0; k < 8; ++k) c = (c & 1) ? (c >> 1) ^ 0x82F63B78u : c >> 1;  // Castagnoli, reflected
      t[i] = c;
    }
    return t;
  }();
  uint32_t crc = 0xFFFFFFFFu;
  const auto* bytes = static_cast<const unsigned char*>(data);
  for (size_t i = 0; i < size; ++i) crc = table[(crc ^ bytes[i]) & 0xff] ^ (crc >> 8);
  return crc ^ 0xFFFFFFFFu;
}

uint32_t masked_crc32c(const void* data, size_t size) {
  const uint32_t crc = crc32c(data, size);
  return ((crc >> 15) | (crc << 17)) + 0xa282ead8u;
}

std::string encode_tfevent_record(const TfEvent& event) {
  std::string message;
  put_varint(message, (1 << 3) | 1);
  put_fixed(message, event.wall_time);
  put_varint(message, (2 << 3) | 0);
  put_varint(message, static_cast<uint64_t>(event.step));
  if (!event.file_version.empty()) put_bytes_field(message, 3, event.file_version);
  if (!event.tag.empty()) {
    std::string value;
    put_bytes_field(value, 1, event.tag);
    put_varint(value, (2 << 3) | 5);
    put_fixed(value, event.value);
    std::string summary;
    put_bytes_field(summary, 1, value);
    put_bytes_field(message, 5, summary);
  }
  std::string record;
  const uint64_t length = message.size();
  put_fixed(record, length);
  put_fixed(record, masked_crc32c(record.data(), sizeof length));
  record += message;
  put_fixed(record, masked_crc32c(message.data(), message.size()));
  return record;
}

std::vector<TfEvent> read_tfevents(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw DataError("'" + path + "': cannot open event file");
  const std::string data((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  std::vector<TfEvent> events;
  size_t pos = 0;
  while (pos < data.size()) {
    const std::string where = "'" + path + "': record " + std::to_string(events.size() + 1);
    if (pos + 12 > data.size()) throw DataError(where + " is truncated");
    uint64_t length;
    uint32_t length_crc;
    std::memcpy(&length, data.data() + pos, 8);
    std::memcpy(&length_crc, data.data() + pos + 8, 4);
    if (length_crc != masked_crc32c(data.data() + pos, 8)) throw DataError(where + ": length CRC mismatch");
    if (pos + 12 + length + 4 > data.size()) throw DataError(where + " is truncated");
    const std::string message = data.substr(pos + 12, length);
    uint32_t data_crc;
    std::memcpy(&data_crc, data.data() + pos + 12 + length, 4);
    if (data_crc != masked_crc32c(message.data(), message.size())) throw DataError(where + ": data CRC mismatch");
    try {
      events.push_back(decode_event(message));
    } catch (const DataError& e) {
      throw DataError(where + ": " + e.what());
    }
    pos += 12 + length + 4;
  }
  return events;
}

TfEventsWriter::TfEventsWriter(const std::string& run_directory) {
  const auto existing = event_files(run_directory);
  const bool fresh = existing.empty();
  if (fresh) {
    char host[256] = "localhost";
    ::gethostname(host, sizeof host - 1);
    path_ = run_directory + "/" + kPrefix + std::to_string(static_cast<int64_t>(now_seconds())) + "." + host;
  } else {
    path_ = existing.back();
  }
  out_.open(path_, std::ios::binary | std::ios::app);
  if (!out_) throw DataError("cannot open '" + path_ + "' for TensorBoard events");
  if (fresh) {
    TfEvent version;
    version.wall_time = now_seconds();
    version.file_version = "brain.Event:2";
    out_ << encode_tfevent_record(version);
    out_.flush();
  }
}

void TfEventsWriter::add_scalar(const std::string& tag, double value, int64_t step) {
  TfEvent event;
  event.wall_time = now_seconds();
  event.step = step;
  event.tag = tag;
  event.value = static_cast<float>(value);
  out_ << encode_tfevent_record(event);
}

void TfEventsWriter::flush() {
  out_.flush();
  if (!out_) throw DataError("cannot write TensorBoard events to '" + path_ + "' (disk full?)");
}

void truncate_tfevents_after(const std::string& run_directory, int64_t epoch, int64_t global_step) {
  for (const auto& path : event_files(run_directory)) {
    std::vector<TfEvent> events;
    try {
      events = read_tfevents(path);
    } catch (const DataError&) {
      // A kill can cut the last record short; keep the whole records before it.
      events.clear();
      std::ifstream in(path, std::ios::binary);
      const std::string data((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
      size_t pos = 0;
      while (pos + 12 <= data.size()) {
        uint64_t length;
        std::memcpy(&length, data.data() + pos, 8);
        if (pos + 16 + length > data.size()) break;
        const std::string message = data.substr(pos + 12, length);
        uint32_t crc;
        std::memcpy(&crc, data.data() + pos + 12 + length, 4);
        if (crc != masked_crc32c(message.data(), message.size())) break;
        events.push_back(decode_event(message));
        pos += 16 + length;
      }
    }
    std::string kept;
    for (const auto& event : events) {
      const bool by_step = event.tag.rfind("step/", 0) == 0;
      if (event.tag.empty() || event.step <= (by_step ? global_step : epoch)) kept += encode_tfevent_record(event);
    }
    write_text_atomically(path, kept);
  }
}

}  // namespace dltrain::io
