// TensorBoard event records: CRC-32C against its published check value, the masked CRC of
// TFRecord framing, byte-exact field encoding, decoding and corruption detection.
#include <catch2/catch.hpp>

#include <cstring>
#include <fstream>

#include "dltrain/core/error.h"
#include "dltrain/io/tfevents.h"
#include "temp_dir.h"

using namespace dltrain;

TEST_CASE("crc32c matches the Castagnoli check value and TensorBoard's mask") {
  const char* text = "123456789";
  CHECK(io::crc32c(text, 9) == 0xE3069283u);  // RFC 3720 / iSCSI check value
  const uint32_t crc = 0xE3069283u;
  CHECK(io::masked_crc32c(text, 9) == static_cast<uint32_t>(((crc >> 15) | (crc << 17)) + 0xa282ead8u));
}

TEST_CASE("a scalar event is framed and encoded field by field") {
  io::TfEvent event;
  event.wall_time = 1.5;
  event.step = 3;
  event.tag = "val/loss";
  event.value = 0.25f;
  const std::string record = io::encode_tfevent_record(event);
  uint64_t length;
  std::memcpy(&length, record.data(), 8);
  REQUIRE(record.size() == 8 + 4 + length + 4);
  const std::string message = record.substr(12, length);
  // wall_time: field 1, fixed64 double 1.5
  CHECK(static_cast<unsigned char>(message[0]) == 0x09);
  double wall;
  std::memcpy(&wall, message.data() + 1, 8);
  CHECK(wall == 1.5);
  // step: field 2 varint 3; then summary (field 5) > value (field 1) > tag (field 1), simple_value (field 2)
  CHECK(message.substr(9, 2) == std::string("\x10\x03", 2));
  CHECK(static_cast<unsigned char>(message[11]) == 0x2a);
  CHECK(message.find("\x0a\x08val/loss\x15", 0) != std::string::npos);
  float value;
  std::memcpy(&value, message.data() + message.size() - 4, 4);
  CHECK(value == 0.25f);
}

TEST_CASE("written events decode with their tags, steps and values, corruption is detected") {
  TempDir tmp;
  std::string path;
  {
    io::TfEventsWriter writer(tmp.path);
    writer.add_scalar("train/loss", 0.75, 1);
    writer.add_scalar("step/loss", 0.5, 40);
    writer.add_scalar("train/loss", 0.5, 2);
    writer.flush();
    path = writer.path();
  }
  auto events = io::read_tfevents(path);
  REQUIRE(events.size() == 4);
  CHECK(events[0].file_version == "brain.Event:2");
  CHECK(events[1].tag == "train/loss");
  CHECK(events[1].step == 1);
  CHECK(events[1].value == 0.75f);
  CHECK(events[3].step == 2);

  io::truncate_tfevents_after(tmp.path, 1, 40);  // a resume after epoch 1, global step 40
  events = io::read_tfevents(path);
  REQUIRE(events.size() == 3);
  CHECK(events[2].tag == "step/loss");

  {
    std::fstream file(path, std::ios::in | std::ios::out | std::ios::binary);
    file.seekp(30);
    file.put('\x7f');
  }
  CHECK_THROWS_AS(io::read_tfevents(path), DataError);
}
