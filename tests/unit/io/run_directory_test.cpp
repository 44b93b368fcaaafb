// Run directories are never overwritten: a taken name gets a suffix, --force reuses it.
#include <catch2/catch.hpp>

#include <filesystem>
#include <fstream>

#include "dltrain/core/error.h"
#include "dltrain/io/atomic_file.h"
#include "dltrain/io/run_directory.h"
#include "temp_dir.h"

using namespace dltrain;
namespace fs = std::filesystem;

TEST_CASE("a taken run name gets -2 then -3, and the first run's files stay") {
  TempDir tmp;
  auto first = io::create_run_directory(tmp.path, "exp", false);
  std::ofstream(first.file("summary.json")) << "{}";
  auto second = io::create_run_directory(tmp.path, "exp", false);
  auto third = io::create_run_directory(tmp.path, "exp", false);
  CHECK(fs::path(first.path).filename() == "exp");
  CHECK(fs::path(second.path).filename() == "exp-2");
  CHECK(fs::path(third.path).filename() == "exp-3");
  CHECK(fs::exists(first.file("summary.json")));
  CHECK(fs::is_directory(second.checkpoints));
}

TEST_CASE("force replaces the run directory of the same name") {
  TempDir tmp;
  auto first = io::create_run_directory(tmp.path, "exp", false);
  std::ofstream(first.file("old.txt")) << "x";
  auto again = io::create_run_directory(tmp.path, "exp", true);
  CHECK(again.path == first.path);
  CHECK_FALSE(fs::exists(again.file("old.txt")));
}

TEST_CASE("opening a directory that is not a run is a data error") {
  TempDir tmp;
  CHECK_THROWS_AS(io::open_run_directory(tmp.path), DataError);
  CHECK_THROWS_WITH(io::open_run_directory(tmp.path + "/missing"), Catch::Contains("not a directory"));
}

TEST_CASE("an atomic write replaces the whole file and leaves no temporary behind") {
  TempDir tmp;
  const std::string path = tmp.path + "/summary.json";
  io::write_text_atomically(path, "first");
  io::write_text_atomically(path, "second");
  std::ifstream in(path);
  std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  CHECK(text == "second");
  int files = 0;
  for ([[maybe_unused]] const auto& entry : fs::directory_iterator(tmp.path)) ++files;
  CHECK(files == 1);
}

TEST_CASE("a failing writer leaves the previous file intact") {
  TempDir tmp;
  const std::string path = tmp.path + "/last.pt";
  io::write_text_atomically(path, "good");
  CHECK_THROWS_AS(io::replace_file_atomically(path, [](const std::string& temp) {
                    std::ofstream(temp) << "half";
                    throw DataError("disk full");
                  }),
                  DataError);
  std::ifstream in(path);
  std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  CHECK(text == "good");
}
