// run -> eval -> check on a small Fashion-MNIST subset through the real binary.
#include <catch2/catch.hpp>

#include <filesystem>
#include <nlohmann/json.hpp>

#include "cli_runner.h"
#include "temp_dir.h"

namespace fs = std::filesystem;

namespace {

const std::string kWorkflowConfig =
    "name: tiny\n"
    "threads: 1\n"
    "data:\n"
    "  subset: {train: 1200, test: 400}\n"
    "  val_split: 0.25\n"
    "model:\n"
    "  type: cnn\n"
    "  channels: [8]\n"
    "  hidden: [32]\n"
    "train:\n"
    "  epochs: 2\n";

}  // namespace

TEST_CASE("run writes the run directory and eval reproduces its test accuracy exactly") {
  TempDir tmp;
  write_file(tmp.path + "/tiny.yaml", kWorkflowConfig);
  auto run = run_dltrain("run " + tmp.path + "/tiny.yaml --output " + tmp.path + "/runs --json", tmp.path);
  REQUIRE(run.exit_code == 0);
  const auto summary = nlohmann::json::parse(run.out);  // stdout holds only the JSON document
  const std::string dir = summary["run_dir"];
  CHECK(fs::path(dir).filename() == "tiny");
  for (const char* file : {"config.yaml", "metrics.jsonl", "metrics.csv", "summary.json", "train.log",
                           "checkpoints/last.pt", "checkpoints/best.pt"}) {
    CHECK(fs::exists(fs::path(dir) / file));
  }
  CHECK(summary["final"]["test/accuracy"].get<double>() > 0.4);
  CHECK(summary["versions"]["libtorch"].get<std::string>().rfind("1.13", 0) == 0);
  CHECK(summary["wall_time_s"].get<double>() > 0);
  CHECK(summary["samples_per_second"].get<double>() > 0);

  auto eval = run_dltrain("eval --run " + dir + " --json", tmp.path);
  REQUIRE(eval.exit_code == 0);
  const auto metrics = nlohmann::json::parse(eval.out);
  CHECK(metrics["accuracy"] == summary["final"]["test/accuracy"]);
  CHECK(metrics["loss"] == summary["final"]["test/loss"]);
  CHECK(metrics["count"] == 400);
  CHECK(metrics["confusion_matrix"].size() == 10);

  auto table = run_dltrain("eval --run " + dir + " --split val", tmp.path);
  CHECK(table.exit_code == 0);
  CHECK_THAT(table.out, Catch::Contains("balanced") && Catch::Contains("macro"));

  // The resolved config reproduces the run: same seed, same data, same numbers.
  auto again = run_dltrain("run " + dir + "/config.yaml --output " + tmp.path + "/runs --json", tmp.path);
  REQUIRE(again.exit_code == 0);
  const auto second = nlohmann::json::parse(again.out);
  CHECK(fs::path(second["run_dir"].get<std::string>()).filename() == "tiny-2");
  CHECK(second["final"]["test/accuracy"] == summary["final"]["test/accuracy"]);
  CHECK(second["final"]["train/loss"] == summary["final"]["train/loss"]);
}

TEST_CASE("check --full prints the resolved config and the model summary without training") {
  TempDir tmp;
  write_file(tmp.path + "/tiny.yaml", kWorkflowConfig);
  auto r = run_dltrain("check --full " + tmp.path + "/tiny.yaml --set model.hidden=[16]", tmp.path);
  REQUIRE(r.exit_code == 0);
  CHECK_THAT(r.out, Catch::Contains("hidden: [16]") && Catch::Contains("conv1_1") &&
                        Catch::Contains("total parameters"));
  auto json = run_dltrain("check " + tmp.path + "/tiny.yaml --json --full", tmp.path);
  REQUIRE(json.exit_code == 0);
  auto doc = nlohmann::json::parse(json.out);
  CHECK(doc["model"]["parameters"].get<int64_t>() > 0);
  CHECK(doc["data"]["num_classes"] == 10);
  CHECK_FALSE(fs::exists(tmp.path + "/runs"));
}

TEST_CASE("check without --full validates the config without LibTorch, data or model") {
  TempDir tmp;
  // The data path does not exist and the model could not pool this image: only --full sees it.
  write_file(tmp.path + "/c.yaml",
             "data:\n  train: /nonexistent/train\nmodel:\n  type: cnn\n  input_shape: [1, 4, 4]\n"
             "  num_classes: 3\n  channels: [4, 4, 4]\n");
  auto r = run_dltrain("check " + tmp.path + "/c.yaml --set model.hidden=[8]", tmp.path);
  REQUIRE(r.exit_code == 0);
  CHECK_THAT(r.out, Catch::Contains("# resolved config") && Catch::Contains("hidden: [8]") &&
                        !Catch::Contains("# model"));
  auto json = run_dltrain("--json check " + tmp.path + "/c.yaml", tmp.path);
  REQUIRE(json.exit_code == 0);
  const auto doc = nlohmann::json::parse(json.out);
  CHECK(doc["model"].is_null());
  CHECK_THAT(doc["config"].get<std::string>(), Catch::Contains("channels: [4, 4, 4]"));
  CHECK(run_dltrain("check --full " + tmp.path + "/c.yaml", tmp.path).exit_code == 2);

  // The front end itself maps no LibTorch (the dynamic loader lists what a binary would load).
  auto libraries = run_dltrain("", tmp.path, "LD_TRACE_LOADED_OBJECTS=1");
  CHECK_THAT(libraries.out, Catch::Contains("libc.so") && !Catch::Contains("libtorch"));
}

TEST_CASE("without dltrain-engine beside it, dltrain runs a config-only check and names the engine otherwise") {
  TempDir tmp;
  fs::copy_file(DLTRAIN_BINARY, tmp.path + "/dltrain");
  write_file(tmp.path + "/tiny.yaml", kWorkflowConfig);
  auto check = run_program(tmp.path + "/dltrain", "check " + tmp.path + "/tiny.yaml", tmp.path);
  CHECK(check.exit_code == 0);
  auto run = run_program(tmp.path + "/dltrain", "run " + tmp.path + "/tiny.yaml", tmp.path);
  CHECK(run.exit_code == 1);
  CHECK_THAT(run.err, Catch::StartsWith("error: cannot start " + tmp.path + "/dltrain-engine"));
}

TEST_CASE("every shipped config passes dltrain check --full") {
  TempDir tmp;
  for (const auto& entry : fs::directory_iterator(std::string(DLTRAIN_SOURCE_DIR) + "/configs")) {
    if (entry.path().extension() != ".yaml") continue;
    INFO(entry.path());
    // From the repository root, as the README runs them (sample data paths are relative to it).
    auto r = run_dltrain("check --full " + entry.path().string(), tmp.path,
                         "cd " + std::string(DLTRAIN_SOURCE_DIR) + " &&");
    CHECK(r.exit_code == 0);
    CHECK(r.err.find("error") == std::string::npos);
  }
}
