// The checkpoint files a run keeps: best.pt on improvement, epoch-NNNN.pt every N epochs with
// the newest K kept, and stale temporaries from a killed write removed.
#include <catch2/catch.hpp>

#include <filesystem>
#include <fstream>

#include "dltrain/train/checkpoint_policy.h"
#include "temp_dir.h"

using namespace dltrain;
namespace fs = std::filesystem;

namespace {

std::string content(const std::string& path) {
  std::ifstream in(path);
  std::string text;
  std::getline(in, text);
  return text;
}

}  // namespace

TEST_CASE("epoch checkpoints every 2 epochs keep only the newest 2, best.pt follows improvements") {
  TempDir tmp;
  config::CheckpointConfig c;
  c.every = 2;
  c.keep_last = 2;
  train::CheckpointPolicy policy(c, tmp.path);
  for (int64_t epoch = 1; epoch <= 7; ++epoch) {
    std::ofstream(policy.last_path()) << "epoch " << epoch;
    policy.after_epoch(epoch, /*improved=*/epoch == 3);
  }
  const auto files = policy.epoch_files();
  REQUIRE(files.size() == 2);
  CHECK(fs::path(files[0]).filename() == "epoch-0004.pt");
  CHECK(fs::path(files[1]).filename() == "epoch-0006.pt");
  CHECK(content(files[1]) == "epoch 6");
  CHECK(content(policy.best_path()) == "epoch 3");
}

TEST_CASE("keep_last 0 keeps every epoch checkpoint, every 0 writes none") {
  TempDir tmp;
  config::CheckpointConfig c;
  c.every = 1;
  c.keep_last = 0;
  c.save_best = false;
  train::CheckpointPolicy policy(c, tmp.path);
  for (int64_t epoch = 1; epoch <= 3; ++epoch) {
    std::ofstream(policy.last_path()) << "x";
    policy.after_epoch(epoch, true);
  }
  CHECK(policy.epoch_files().size() == 3);
  CHECK_FALSE(fs::exists(policy.best_path()));

  c.every = 0;
  TempDir other;
  train::CheckpointPolicy none(c, other.path);
  std::ofstream(none.last_path()) << "x";
  none.after_epoch(1, false);
  CHECK(none.epoch_files().empty());
}

TEST_CASE("temporaries left by a killed write are removed, checkpoints are not") {
  TempDir tmp;
  train::CheckpointPolicy policy(config::CheckpointConfig{}, tmp.path);
  std::ofstream(tmp.path + "/.last.pt.tmp") << "half";
  std::ofstream(policy.last_path()) << "whole";
  policy.remove_stale_temporaries();
  CHECK_FALSE(fs::exists(tmp.path + "/.last.pt.tmp"));
  CHECK(fs::exists(policy.last_path()));
}
