// The bad-checkpoint corpus: whatever file is handed to --resume or eval --checkpoint, the
// result is the weights or one DataError line (exit 3) naming the file; and a full disk while
// writing is a DataError that leaves the previous checkpoint whole.
#include <catch2/catch.hpp>
#include <torch/torch.h>

#include <fstream>
#include <iterator>

#include "dltrain/core/error.h"
#include "dltrain/io/atomic_file.h"
#include "dltrain/io/checkpoint.h"
#include "file_contents.h"
#include "temp_dir.h"

using namespace dltrain;

namespace {

io::CheckpointInfo info_for_test() {
  io::CheckpointInfo info;
  info.epoch = 3;
  info.config_yaml = "name: x\n";
  info.metrics_json = "{}";
  info.class_names = {"a", "b", "c"};
  info.input_shape = {4};
  info.lr = 0.1;
  return info;
}

// Loads `path` into a fresh model with an optimizer: the full --resume path of the reader.
void load_into_model(const std::string& path) {
  torch::nn::Linear model(4, 3);
  torch::optim::SGD optimizer(model->parameters(), torch::optim::SGDOptions(0.1).momentum(0.9));
  io::load_checkpoint(path, *model, &optimizer);
}

void check_data_error(const std::string& path, const std::string& expected) {
  try {
    load_into_model(path);
    FAIL("expected a DataError for " << path);
  } catch (const DataError& e) {
    const std::string message = e.what();
    CHECK(e.code() == ExitCode::data);
    CHECK(message.find('\n') == std::string::npos);
    CHECK_THAT(message, Catch::Contains(path) && Catch::Contains(expected));
  }
}

// An archive with dltrain's entry names but `entry` replaced by `value`.
void save_archive_with(const std::string& path, const std::string& entry, const c10::IValue& value) {
  const std::vector<std::pair<std::string, c10::IValue>> entries = {
      {"dltrain_format", c10::IValue(int64_t{1})},
      {"epoch", c10::IValue(int64_t{1})},
      {"config", c10::IValue(std::string("name: x\n"))},
      {"metrics", c10::IValue(std::string("{}"))},
      {"lr", c10::IValue(0.1)},
      {"meta", c10::IValue(std::string(R"({"class_names": ["a"], "input_shape": [4]})"))},
      {"manifest", c10::IValue(std::string("[]"))}};
  torch::serialize::OutputArchive archive;
  for (const auto& [key, default_value] : entries) archive.write(key, key == entry ? value : default_value);
  archive.save_to(path);
}

}  // namespace

TEST_CASE("every case of the bad-checkpoint corpus is one DataError line naming the file") {
  TempDir tmp;
  const std::string good = tmp.path + "/good.pt";
  {
    torch::nn::Linear model(4, 3);
    torch::optim::SGD optimizer(model->parameters(), torch::optim::SGDOptions(0.1).momentum(0.9));
    model->forward(torch::randn({2, 4})).sum().backward();
    optimizer.step();
    io::save_checkpoint(good, *model, &optimizer, info_for_test());
  }
  REQUIRE_NOTHROW(load_into_model(good));
  const std::string bytes = read_file(good);
  auto variant = [&](const std::string& name, const std::string& content) {
    const std::string path = tmp.path + "/" + name;
    std::ofstream(path, std::ios::binary).write(content.data(), static_cast<std::streamsize>(content.size()));
    return path;
  };

  check_data_error(variant("empty.pt", ""), "not a ZIP archive");
  check_data_error(variant("one-byte.pt", "P"), "not a ZIP archive");
  check_data_error(variant("text.pt", "epoch: 3\nweights: none\n"), "not a ZIP archive");
  check_data_error(variant("half.pt", bytes.substr(0, bytes.size() / 2)), "not a ZIP archive");
  check_data_error(variant("last-byte-missing.pt", bytes.substr(0, bytes.size() - 1)), "not a ZIP archive");
  check_data_error(variant("zeros.pt", std::string(bytes.size(), '\0')), "not a ZIP archive");
  check_data_error(tmp.path, "no such file");  // a directory
  check_data_error(tmp.path + "/missing.pt", "no such file");

  save_archive_with(tmp.path + "/format-as-text.pt", "dltrain_format", c10::IValue(std::string("one")));
  check_data_error(tmp.path + "/format-as-text.pt", "\"dltrain_format\" is not an integer");
  save_archive_with(tmp.path + "/meta-not-json.pt", "meta", c10::IValue(std::string("{class_names")));
  check_data_error(tmp.path + "/meta-not-json.pt", "\"meta\" is not valid JSON");
  save_archive_with(tmp.path + "/meta-wrong-shape.pt", "meta", c10::IValue(std::string(R"({"class_names": 3})")));
  check_data_error(tmp.path + "/meta-wrong-shape.pt", "\"meta\" is not class names and an input shape");
  save_archive_with(tmp.path + "/manifest-not-a-list.pt", "manifest", c10::IValue(std::string(R"({"a": 1})")));
  check_data_error(tmp.path + "/manifest-not-a-list.pt", "\"manifest\" is not a list of tensor names");
  save_archive_with(tmp.path + "/lr-as-int.pt", "lr", c10::IValue(int64_t{1}));
  check_data_error(tmp.path + "/lr-as-int.pt", "\"lr\" is not a number");
  save_archive_with(tmp.path + "/manifest-without-tensors.pt", "manifest",
                    c10::IValue(std::string(R"([{"name": "weight"}, {"name": "bias"}])")));
  check_data_error(tmp.path + "/manifest-without-tensors.pt", "its tensor is missing");
}

TEST_CASE("a checkpoint with bytes flipped anywhere loads or fails with a DataError, nothing else") {
  TempDir tmp;
  const std::string good = tmp.path + "/good.pt";
  torch::nn::Linear model(4, 3);
  io::save_checkpoint(good, *model, nullptr, info_for_test());
  const std::string bytes = read_file(good);
  const std::string path = tmp.path + "/flipped.pt";
  for (std::size_t at = 0; at < bytes.size(); at += bytes.size() / 61 + 1) {
    std::string damaged = bytes;
    damaged[at] = static_cast<char>(damaged[at] ^ 0x5a);
    std::ofstream(path, std::ios::binary | std::ios::trunc).write(damaged.data(), static_cast<std::streamsize>(damaged.size()));
    INFO("byte " << at << " of " << bytes.size());
    try {
      torch::nn::Linear target(4, 3);
      io::load_checkpoint(path, *target, nullptr);
    } catch (const DataError& e) {
      CHECK_THAT(e.what(), Catch::Contains(path));
    }
  }
}

TEST_CASE("a full disk while writing is a DataError naming the file and the reason") {
  // /dev/full fails every write with ENOSPC, exactly as a full file system does.
  CHECK_THROWS_WITH(io::write_whole_file("/dev/full", std::string(4096, 'x')),
                    Catch::Contains("/dev/full") && Catch::Contains("No space left on device"));
}
