// The binary's contract for bad input: one line on stderr naming file:line:col and the key,
// and the documented exit code (2 config/usage, 3 data) — never a stack trace.
#include <catch2/catch.hpp>

#include "cli_runner.h"
#include "temp_dir.h"

namespace {

const std::string kGoodConfig =
    "name: tiny\n"
    "threads: 1\n"
    "data:\n"
    "  subset: {train: 600, test: 200}\n"
    "  val_split: 0.2\n"
    "model:\n"
    "  type: mlp\n"
    "  hidden: [32]\n"
    "train:\n"
    "  epochs: 1\n";


}  // namespace

TEST_CASE("the version flag names dltrain, LibTorch and OpenCV") {
  TempDir tmp;
  auto r = run_dltrain("--version", tmp.path);
  CHECK(r.exit_code == 0);
  CHECK_THAT(r.out, Catch::Contains("dltrain 0.") && Catch::Contains("LibTorch 1.13") && Catch::Contains("OpenCV"));
}

TEST_CASE("help lists the commands and the exit codes, each command has its own help") {
  TempDir tmp;
  auto r = run_dltrain("--help", tmp.path);
  CHECK(r.exit_code == 0);
  CHECK_THAT(r.out, Catch::Contains("run") && Catch::Contains("eval") && Catch::Contains("check") &&
                        Catch::Contains("Exit codes"));
  for (const char* command : {"run", "eval", "check"}) {
    auto sub = run_dltrain(std::string(command) + " --help", tmp.path);
    CHECK(sub.exit_code == 0);
    CHECK_THAT(sub.out, Catch::Contains("Example"));
  }
}

TEST_CASE("an unknown command or flag is a usage error with exit code 2") {
  TempDir tmp;
  auto r = run_dltrain("trian config.yaml", tmp.path);
  CHECK(r.exit_code == 2);
  CHECK(one_line(r.err));
  CHECK(run_dltrain("run --no-such-flag x.yaml", tmp.path).exit_code == 2);
  CHECK(run_dltrain("eval", tmp.path).exit_code == 2);
}

TEST_CASE("a misspelt key exits 2 naming file:line:col, the key and a suggestion") {
  TempDir tmp;
  write_file(tmp.path + "/bad.yaml", "model:\n  type: mlp\noptimizer:\n  lr_rate: 0.1\n");
  auto r = run_dltrain("check " + tmp.path + "/bad.yaml", tmp.path);
  CHECK(r.exit_code == 2);
  CHECK(one_line(r.err));
  CHECK_THAT(r.err, Catch::Contains("bad.yaml:4:3") && Catch::Contains("optimizer.lr_rate") &&
                        Catch::Contains("did you mean \"lr\""));
}

TEST_CASE("a wrong type exits 2 naming the position, key, expectation and the value") {
  TempDir tmp;
  write_file(tmp.path + "/bad.yaml", "model:\n  type: mlp\noptimizer:\n  lr: fast\n");
  auto r = run_dltrain("run " + tmp.path + "/bad.yaml", tmp.path);
  CHECK(r.exit_code == 2);
  CHECK(one_line(r.err));
  CHECK_THAT(r.err, Catch::Contains("bad.yaml:4:7") && Catch::Contains("optimizer.lr") && Catch::Contains("fast"));
}

TEST_CASE("an out-of-range value exits 2 naming the key") {
  TempDir tmp;
  write_file(tmp.path + "/bad.yaml", "model:\n  type: mlp\ndata:\n  val_split: 1.5\n");
  auto r = run_dltrain("run " + tmp.path + "/bad.yaml", tmp.path);
  CHECK(r.exit_code == 2);
  CHECK(one_line(r.err));
  CHECK_THAT(r.err, Catch::Contains("bad.yaml:4:14") && Catch::Contains("data.val_split"));
}

TEST_CASE("a bad --set override exits 2 naming the override") {
  TempDir tmp;
  write_file(tmp.path + "/good.yaml", kGoodConfig);
  auto r = run_dltrain("check " + tmp.path + "/good.yaml --set train.epochs=many", tmp.path);
  CHECK(r.exit_code == 2);
  CHECK_THAT(r.err, Catch::Contains("--set train.epochs=many") && Catch::Contains("train.epochs"));
}

TEST_CASE("a missing data file exits 3 naming file:line:col, the key and the path") {
  TempDir tmp;
  write_file(tmp.path + "/bad.yaml", "model:\n  type: mlp\ndata:\n  train: /nonexistent/fmnist/train\n");
  auto r = run_dltrain("run " + tmp.path + "/bad.yaml --output " + tmp.path + "/runs", tmp.path);
  CHECK(r.exit_code == 3);
  CHECK(one_line(r.err));
  CHECK_THAT(r.err, Catch::Contains("bad.yaml:4:10") && Catch::Contains("data.train") &&
                        Catch::Contains("/nonexistent/fmnist/train"));
  CHECK_FALSE(std::ifstream(tmp.path + "/runs/bad/config.yaml").good());
}

TEST_CASE("a missing config file exits 2 and a foreign checkpoint exits 3") {
  TempDir tmp;
  auto r = run_dltrain("run " + tmp.path + "/nope.yaml", tmp.path);
  CHECK(r.exit_code == 2);
  CHECK_THAT(r.err, Catch::Contains("nope.yaml"));
  write_file(tmp.path + "/fake.pt", "garbage");
  auto e = run_dltrain("eval --checkpoint " + tmp.path + "/fake.pt", tmp.path);
  CHECK(e.exit_code == 3);
  CHECK(one_line(e.err));
  CHECK_THAT(e.err, Catch::Contains("fake.pt"));
}

TEST_CASE("class weights of the wrong count exit 2 naming file:line:col and the key, before any run exists") {
  TempDir tmp;
  write_file(tmp.path + "/weights.yaml", kGoodConfig + "loss:\n  class_weights: {type: given, values: [1, 2, 3]}\n");
  auto r = run_dltrain("run " + tmp.path + "/weights.yaml --output " + tmp.path + "/runs", tmp.path);
  CHECK(r.exit_code == 2);
  CHECK(one_line(r.err));
  CHECK_THAT(r.err, Catch::Contains("weights.yaml:12:") &&
                        Catch::Contains("loss.class_weights.values: expected 10 weights (one per class), got 3"));
  CHECK_FALSE(std::ifstream(tmp.path + "/runs/tiny/config.yaml").good());
}
