// Faults around the run: a full disk during a checkpoint write, an output location nobody may
// write, a dataset that goes away after loading. Each ends in one line and exit 3, with the
// previous checkpoint whole and resumable.
#include <catch2/catch.hpp>
#include <unistd.h>

#include <algorithm>
#include <filesystem>
#include <nlohmann/json.hpp>

#include "cli_runner.h"
#include "temp_dir.h"

namespace fs = std::filesystem;

namespace {

const std::string kFaultsConfig =
    "name: faulty\n"
    "threads: 1\n"
    "data:\n"
    "  subset: {train: 600, test: 200}\n"
    "  val_split: 0.2\n"
    "model: {type: mlp, hidden: [32]}\n"
    "optimizer: {type: adam}\n"
    "train: {epochs: 1}\n";

std::string bytes_of(const std::string& path) { return read_file(path); }

}  // namespace

TEST_CASE("a full disk during a checkpoint write: exit 3 naming the file, the old checkpoint intact and resumable") {
  TempDir tmp;
  write_file(tmp.path + "/faulty.yaml", kFaultsConfig);
  REQUIRE(run_dltrain("run " + tmp.path + "/faulty.yaml --output " + tmp.path + "/runs --quiet", tmp.path).exit_code == 0);
  const std::string dir = tmp.path + "/runs/faulty", last = dir + "/checkpoints/last.pt";
  const std::string before = bytes_of(last);
  REQUIRE(before.size() > 200 * 1024);  // the weights and Adam's moments: far above the limit below

  // A file-size limit makes the checkpoint write fail with EFBIG, as a full disk fails with
  // ENOSPC: the same write path, reachable without root. (sh counts in 512- or 1024-byte blocks.)
  const auto full = run_dltrain("run --resume " + dir + " --set train.epochs=2 --quiet", tmp.path, "ulimit -f 120;");
  CHECK(full.exit_code == 3);
  CHECK_THAT(full.err, Catch::StartsWith("error: ") && Catch::Contains("last.pt") && Catch::Contains("File too large"));
  CHECK(std::count(full.err.begin(), full.err.end(), '\n') == 1);
  CHECK(bytes_of(last) == before);
  CHECK_FALSE(fs::exists(dir + "/checkpoints/.last.pt.tmp"));

  const auto resumed = run_dltrain("run --resume " + dir + " --set train.epochs=2 --quiet --json", tmp.path);
  INFO(resumed.err);
  REQUIRE(resumed.exit_code == 0);
  CHECK(nlohmann::json::parse(resumed.out).at("epochs_completed") == 2);
}

TEST_CASE("an output location nobody may write is a clear error before training starts") {
  TempDir tmp;
  write_file(tmp.path + "/faulty.yaml", kFaultsConfig);
  std::string output = tmp.path + "/read-only";
  fs::create_directory(output);
  fs::permissions(output, fs::perms::owner_read | fs::perms::owner_exec);
  // root ignores permission bits; sysfs refuses new files even to root.
  if (::access(output.c_str(), W_OK) == 0) output = "/sys/fs";
  const auto r = run_dltrain("run " + tmp.path + "/faulty.yaml --output " + output, tmp.path);
  fs::permissions(tmp.path + "/read-only", fs::perms::owner_all);
  CHECK(r.exit_code == 3);
  CHECK_THAT(r.err, Catch::StartsWith("error: ") && Catch::Contains("cannot create run directory '" + output + "/faulty'"));
  CHECK_THAT(r.out + r.err, !Catch::Contains("epoch 1"));
}
