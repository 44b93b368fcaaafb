// TensorBoard event files written without TensorFlow or protobuf: each record is
// length (uint64 LE) + masked CRC-32C(length) + an Event protobuf + masked CRC-32C(event).
// Scalars use Event{wall_time, step, summary{value{tag, simple_value}}}.
#pragma once

#include <cstdint>
#include <fstream>
#include <string>
#include <vector>

namespace dltrain::io {

uint32_t crc32c(const void* data, size_t size);
uint32_t masked_crc32c(const void* data, size_t size);  // TensorBoard's rotation + constant

struct TfEvent {
  double wall_time = 0.0;
  int64_t step = 0;
  std::string file_version;  // set on the first record of a file
  std::string tag;           // empty for records without a scalar
  float value = 0.0f;
};

// Encodes one event as a framed record (exposed for tests).
std::string encode_tfevent_record(const TfEvent& event);

// Decodes every record of a file, checking both CRCs; throws DataError naming the record.
std::vector<TfEvent> read_tfevents(const std::string& path);

class TfEventsWriter {
 public:
  // Appends to the run's events.out.tfevents.* file, creating one (with its file_version record)
  // when there is none.
  explicit TfEventsWriter(const std::string& run_directory);
  void add_scalar(const std::string& tag, double value, int64_t step);
  void flush();
  const std::string& path() const { return path_; }

 private:
  std::ofstream out_;
  std::string path_;
};

// For a resumed run: keeps the records a checkpoint covers. Tags starting with "step/" are
// indexed by global step (kept up to `global_step`), all others by epoch (up to `epoch`).
void truncate_tfevents_after(const std::string& run_directory, int64_t epoch, int64_t global_step);

}  // namespace dltrain::io
