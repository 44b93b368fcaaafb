// safetensors files follow the format (8-byte little-endian header length, JSON header with
// dtype/shape/data_offsets, __metadata__, contiguous data) and load back bit for bit.
#include <catch2/catch.hpp>
#include <torch/torch.h>

#include <cstdlib>
#include <cstring>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>

#include "dltrain/core/error.h"
#include "dltrain/io/safetensors.h"
#include "file_contents.h"
#include "temp_dir.h"

using namespace dltrain;

namespace {

std::vector<std::pair<std::string, torch::Tensor>> sample_tensors() {
  torch::manual_seed(3);
  return {{"conv1.weight", torch::randn({4, 1, 3, 3})},
          {"bn1.num_batches_tracked", torch::tensor(7, torch::kInt64)},
          {"fc.bias", torch::randn({5}, torch::kFloat64)},
          {"mask", torch::tensor({1, 0, 1}, torch::kUInt8)},
          {"half", torch::randn({2, 2}).to(torch::kFloat16)},
          {"empty", torch::zeros({0, 3})}};
}

}  // namespace

TEST_CASE("safetensors files have the documented header and data layout") {
  TempDir tmp;
  const std::string path = tmp.path + "/w.safetensors";
  const auto tensors = sample_tensors();
  io::write_safetensors(path, tensors, {{"format", "pt"}, {"note", "x"}});
  const std::string bytes = read_file(path);
  REQUIRE(bytes.size() > 8);
  uint64_t header_size = 0;
  for (int i = 7; i >= 0; --i) header_size = (header_size << 8) | static_cast<unsigned char>(bytes[i]);
  CHECK((8 + header_size) % 8 == 0);  // data starts aligned
  const auto header = nlohmann::json::parse(bytes.substr(8, header_size));
  CHECK(header["__metadata__"] == nlohmann::json({{"format", "pt"}, {"note", "x"}}));
  CHECK(header["conv1.weight"]["dtype"] == "F32");
  CHECK(header["conv1.weight"]["shape"] == nlohmann::json({4, 1, 3, 3}));
  CHECK(header["conv1.weight"]["data_offsets"] == nlohmann::json({0, 144}));
  CHECK(header["bn1.num_batches_tracked"]["dtype"] == "I64");
  CHECK(header["bn1.num_batches_tracked"]["shape"] == nlohmann::json::array());
  CHECK(header["bn1.num_batches_tracked"]["data_offsets"] == nlohmann::json({144, 152}));
  CHECK(header["fc.bias"]["dtype"] == "F64");
  CHECK(header["mask"]["dtype"] == "U8");
  CHECK(header["half"]["dtype"] == "F16");
  CHECK(header["empty"]["data_offsets"][0] == header["empty"]["data_offsets"][1]);
  // Data bytes are the tensors' little-endian values, back to back.
  const auto last_end = header["empty"]["data_offsets"][1].get<uint64_t>();
  CHECK(bytes.size() == 8 + header_size + last_end);
  float first = 0;
  std::memcpy(&first, bytes.data() + 8 + header_size, 4);
  CHECK(first == tensors[0].second.view(-1)[0].item<float>());
}

TEST_CASE("safetensors round-trip every tensor and the metadata bit-exactly") {
  TempDir tmp;
  const std::string path = tmp.path + "/w.safetensors";
  const auto tensors = sample_tensors();
  io::write_safetensors(path, tensors, {{"format", "pt"}});
  const auto back = io::read_safetensors(path);
  REQUIRE(back.tensors.size() == tensors.size());
  for (std::size_t i = 0; i < tensors.size(); ++i) {
    INFO(tensors[i].first);
    CHECK(back.tensors[i].first == tensors[i].first);
    CHECK(back.tensors[i].second.scalar_type() == tensors[i].second.scalar_type());
    CHECK(back.tensors[i].second.sizes() == tensors[i].second.sizes());
    CHECK(torch::equal(back.tensors[i].second, tensors[i].second));
  }
  CHECK(back.metadata.at("format") == "pt");
}

TEST_CASE("python's safetensors reader loads dltrain's files when it is installed") {
  if (std::system("/usr/bin/python3 -c 'import safetensors' >/dev/null 2>&1") != 0) {
    WARN("python3 safetensors is not installed here; the Python cross-check is skipped");
    return;
  }
  TempDir tmp;
  const std::string path = tmp.path + "/w.safetensors";
  io::write_safetensors(path, {{"a", torch::arange(6, torch::kFloat32).view({2, 3})}});
  const std::string script = "from safetensors.numpy import load_file; t = load_file('" + path +
                             "')['a']; assert t.shape == (2, 3) and t.sum() == 15";
  CHECK(std::system(("/usr/bin/python3 -c \"" + script + "\"").c_str()) == 0);
}

TEST_CASE("damaged safetensors files are data errors naming the file") {
  TempDir tmp;
  const std::string path = tmp.path + "/w.safetensors";
  io::write_safetensors(path, {{"a", torch::ones({4})}});
  std::string bytes = read_file(path);

  std::ofstream(tmp.path + "/short.safetensors", std::ios::binary) << bytes.substr(0, bytes.size() - 4);
  CHECK_THROWS_WITH(io::read_safetensors(tmp.path + "/short.safetensors"),
                    Catch::Contains("short.safetensors") && Catch::Contains("cover"));

  std::string huge = bytes;
  huge[5] = '\x7f';
  std::ofstream(tmp.path + "/huge.safetensors", std::ios::binary) << huge;
  CHECK_THROWS_AS(io::read_safetensors(tmp.path + "/huge.safetensors"), DataError);

  std::string bad_dtype = bytes;
  bad_dtype.replace(bad_dtype.find("F32"), 3, "X32");
  std::ofstream(tmp.path + "/dtype.safetensors", std::ios::binary) << bad_dtype;
  CHECK_THROWS_WITH(io::read_safetensors(tmp.path + "/dtype.safetensors"), Catch::Contains("unsupported dtype"));

  CHECK_THROWS_AS(io::read_safetensors(tmp.path + "/missing.safetensors"), DataError);
}
