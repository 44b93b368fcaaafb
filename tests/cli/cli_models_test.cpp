// `dltrain check --full` on models: the zoo presets without data, the per-layer table and JSON, and bad
// model configs that exit 2 naming file:line:col and the layer or option.
#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>

#include "cli_runner.h"
#include "temp_dir.h"

namespace {

// data.train points nowhere: these checks must not read any data.
const std::string kNoData =
    "data:\n"
    "  train: /nonexistent/train\n"
    "  batch_size: 16\n";


CliResult check(const TempDir& tmp, const std::string& yaml, const std::string& flags = "") {
  write_file(tmp.path + "/model.yaml", yaml);
  return run_dltrain("check --full " + tmp.path + "/model.yaml " + flags, tmp.path);
}

}  // namespace

TEST_CASE("check summarizes resnet18 at 224x224x3 with torchvision's counts and reads no data") {
  TempDir tmp;
  const std::string yaml = kNoData + "model:\n  type: resnet18\n  input_shape: [3, 224, 224]\n  num_classes: 1000\n";
  auto r = check(tmp, yaml);
  REQUIRE(r.exit_code == 0);
  CHECK_THAT(r.out, Catch::Contains("no data read") && Catch::Contains("layer1.0.conv1") &&
                        Catch::Contains("layer2.0.downsample.0") && Catch::Contains("total parameters: 11,689,512") &&
                        Catch::Contains("MACs per sample: 1,814,073,344 (1.81 G)") &&
                        Catch::Contains("for a batch of 16"));
  auto json = check(tmp, yaml, "--json");
  REQUIRE(json.exit_code == 0);
  const auto doc = nlohmann::json::parse(json.out);
  CHECK(doc["model"]["parameters"] == 11689512);
  CHECK(doc["model"]["macs_per_sample"] == 1814073344);
  CHECK(doc["data"]["read"] == false);
  const auto& first = doc["model"]["layers"][0];
  CHECK(first["name"] == "conv1");
  CHECK(first["output_shape"] == nlohmann::json::array({64, 112, 112}));
  CHECK(first["parameters"] == 9408);
  CHECK(first["training"] == "trainable");
  CHECK(first["macs"] == 118013952);
}

TEST_CASE("bad model configs exit 2 with one line naming the position and the layer or option") {
  TempDir tmp;
  const std::string head = kNoData + "model:\n  input_shape: [1, 28, 28]\n  num_classes: 10\n";
  struct Case {
    std::string yaml, expected;
  };
  const Case cases[] = {
      {head + "  type: transformer\n", "model.yaml:7:9: model.type: expected one of mlp, cnn"},
      {head + "  type: resnet18\n  hidden: [32]\n", "model.yaml:8:11: model.hidden: not an option of resnet18"},
      {head + "  type: mlp\n  hidden: [32, 0]\n", "model.yaml:8:16: model.hidden[1]: expected an integer in [1, 65536]"},
      {head + "  type: sequential\n  layers:\n    - {type: conv2d, out: 8}\n    - {type: conv3d, out: 8}\n",
       "model.yaml:10:14: model.layers[1].type: unknown layer type \"conv3d\""},
      {head + "  type: sequential\n  layers:\n    - {type: linear, out: 0}\n",
       "model.yaml:9:27: model.layers[0].out: expected an integer in [1, 65536] for linear, got \"0\""},
      {head + "  type: sequential\n  layers:\n    - {type: conv2d, out: 8}\n    - type: residual\n      layers:\n"
              "        - {type: conv2d, out: 16}\n",
       "model.yaml:10:7: model.layers[1]: residual block maps its input [8, 28, 28] to [16, 28, 28]"},
      {head + "  type: sequential\n  layers:\n    - {type: flatten}\n    - {type: conv2d, out: 8}\n",
       "model.yaml:10:7: model.layers[1]: conv2d expects input [C, H, W], got [784]"},
  };
  for (const auto& c : cases) {
    INFO(c.yaml);
    auto r = check(tmp, c.yaml);
    CHECK(r.exit_code == 2);
    CHECK(one_line(r.err));
    CHECK_THAT(r.err, Catch::Contains(c.expected));
  }
}

TEST_CASE("a sequential config round-trips through the resolved config") {
  TempDir tmp;
  const std::string yaml = kNoData +
                           "model:\n  type: sequential\n  input_shape: [1, 8, 8]\n  num_classes: 3\n  layers:\n"
                           "    - {type: conv2d, out: 4, padding: same}\n"
                           "    - {type: residual, layers: [{type: conv2d, out: 4}, {type: relu}]}\n";
  auto r = check(tmp, yaml);
  REQUIRE(r.exit_code == 0);
  CHECK_THAT(r.out, Catch::Contains("{type: residual, layers: [{type: conv2d, out: 4}, {type: relu}]}") &&
                        Catch::Contains("1.1") && Catch::Contains("logits"));
  // The resolved config printed by check is itself a valid config with the same layers.
  const std::string resolved = r.out.substr(0, r.out.find("# model"));
  write_file(tmp.path + "/resolved.yaml", resolved);
  auto again = run_dltrain("check --full " + tmp.path + "/resolved.yaml", tmp.path);
  CHECK(again.exit_code == 0);
  CHECK(again.out.substr(0, again.out.find("# model")) == resolved);
}
