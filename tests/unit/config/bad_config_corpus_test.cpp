// The bad-config corpus: hostile or broken YAML must end in one ConfigError line (exit 2)
// that names the file (and the key where there is one) and the problem; never a hang, a
// crash or an allocation that grows with what the document claims.
#include <catch2/catch.hpp>

#include <fstream>
#include <sstream>
#include <string>

#include "config_test_support.h"
#include "dltrain/config/load_config.h"

using dltrain::config::load_config;
using dltrain::config::test::config_error;
using dltrain::config::test::TempFile;

namespace {

struct BadConfig {
  const char* name;
  std::string yaml;
  std::string expected;  // a fragment of the message, after the file name
};

std::string repeat(const std::string& text, int times) {
  std::string out;
  for (int i = 0; i < times; ++i) out += text;
  return out;
}

// Nine levels of ten aliases each: 10^9 nodes in a 400-byte file.
std::string alias_bomb() {
  std::string yaml = "model:\n  type: sequential\n  layers:\n    - &a0 {type: residual, layers: [" +
                     repeat("{type: relu}, ", 9) + "{type: relu}]}\n";
  for (int level = 1; level <= 9; ++level) {
    std::string refs;
    for (int i = 0; i < 10; ++i) refs += (i ? ", *a" : "*a") + std::to_string(level - 1);
    yaml += "    - &a" + std::to_string(level) + " {type: residual, layers: [" + refs + "]}\n";
  }
  return yaml;
}

std::string fuzz_regression(const std::string& name) {
  std::ifstream in(std::string(DLTRAIN_SOURCE_DIR) + "/tests/fuzz/corpus/config/" + name, std::ios::binary);
  std::stringstream text;
  text << in.rdbuf();
  REQUIRE(!text.str().empty());
  return text.str();
}

const std::string kModel = "model: {type: mlp}\n";

}  // namespace

TEST_CASE("every case of the bad-config corpus is one ConfigError line naming the file and the problem") {
  const std::vector<BadConfig> corpus = {
      {"empty file", "", "the config is empty"},
      {"only comments", "# nothing here\n", "the config is empty"},
      {"a list at the top", "- model\n- data\n", "expected a map of settings at the top level"},
      {"a scalar at the top", "hello\n", "expected a map of settings at the top level"},
      {"two documents", kModel + "---\n" + kModel, "expected one YAML document, found 2"},
      {"duplicate top-level key", kModel + "model: {type: cnn}\n", "model: duplicate key"},
      {"duplicate nested key", "model: {type: mlp, type: cnn}\n", "model.type: duplicate key"},
      {"tab indentation", "model:\n\ttype: mlp\n", "invalid YAML"},
      {"unterminated quote", "model: {type: \"mlp}\n", "invalid YAML"},
      {"unclosed flow map", "model: {type: mlp\n", "invalid YAML"},
      {"deeply nested document", "model: " + repeat("[", 20000) + repeat("]", 20000) + "\n", "invalid YAML"},
      {"alias bomb", alias_bomb(), "expands to more than 100000 YAML nodes"},
      {"fuzz regression: parser loop", fuzz_regression("regression-parser-loop.yaml"), "stopped making progress"},
      {"fuzz regression: control character in a message", fuzz_regression("regression-multiline-message.yaml"),
       "unknown escape character"},
      {"non-UTF-8 run name", kModel + "name: \"caf\\xe9\"\n", "name: expected"},
      {"NUL byte in a value", kModel + std::string("name: a\0b\n", 10), "name"},
      {"unknown key with a suggestion", kModel + "trian: {epochs: 1}\n", "did you mean"},
      {"map where a number is expected", kModel + "optimizer: {lr: {a: 1}}\n", "optimizer.lr: expected"},
      {"list where a string is expected", "model: {type: [mlp]}\n", "model.type: expected"},
      {"number overflow", kModel + "optimizer: {lr: 1e999}\n", "optimizer.lr: expected a positive number"},
      {"NaN learning rate", kModel + "optimizer: {lr: .nan}\n", "optimizer.lr: expected a positive number"},
      {"integer overflow", kModel + "train: {epochs: 99999999999999999999}\n", "train.epochs: expected"},
      {"epochs beyond the ceiling", kModel + "train: {epochs: 1000000000}\n", "train.epochs: expected an integer in [1, 1000000]"},
      {"batch size beyond the ceiling", kModel + "data: {batch_size: 10000000000}\n", "data.batch_size: expected an integer in"},
      {"workers beyond the ceiling", kModel + "data: {workers: 100000}\n", "data.workers: expected an integer in [0, 256]"},
      {"prefetch beyond the ceiling", kModel + "data: {prefetch: 1000000}\n", "data.prefetch: expected an integer in"},
      {"hidden width beyond the ceiling", "model: {type: mlp, hidden: [1000000000]}\n", "model.hidden[0]: expected an integer in"},
      {"channels beyond the ceiling", "model: {type: cnn, channels: [16, 100000000]}\n", "model.channels[1]: expected"},
      {"input side beyond the ceiling", "model: {type: mlp, input_shape: [1, 100000000, 28]}\n", "model.input_shape[1]"},
      {"kernel size beyond the ceiling", "model: {type: cnn, kernel_size: 1001}\n", "model.kernel_size: expected at most 31"},
      {"threads beyond the ceiling", kModel + "threads: 100000\n", "threads: expected an integer in [0, 1024]"},
      {"negative validation split", kModel + "data: {val_split: -0.1}\n", "data.val_split: expected"},
      {"class names for a format that has its own", kModel + "data: {format: csv, class_names: [a, b]}\n",
       "data.class_names: names the label numbers of idx data"},
      {"a class name twice", kModel + "data: {class_names: [cat, dog, cat]}\n", "data.class_names: expected each name once"},
      {"negative mixup alpha", kModel + "data: {batch_augment: {mixup: -0.2}}\n", "data.batch_augment.mixup: expected"},
      {"mixing probability above one", kModel + "data: {batch_augment: {cutmix: 1.0, p: 1.5}}\n",
       "data.batch_augment.p: expected"},
  };
  for (const auto& c : corpus) {
    INFO(c.name);
    TempFile file("bad.yaml", c.yaml);
    const std::string message = config_error([&] { load_config(file.path()); });
    CHECK_THAT(message, Catch::StartsWith(file.path()));
    CHECK_THAT(message, Catch::Contains(c.expected));
    CHECK(message.find('\n') == std::string::npos);
  }
}
