// The local launcher: workers get the torchrun environment, the first failure is named and the
// others are stopped, and no worker outlives the launcher's return.
#include <catch2/catch.hpp>

#include <signal.h>

#include <chrono>
#include <sstream>

#include "dltrain/core/error.h"
#include "dltrain/dist/launcher.h"
#include "file_contents.h"
#include "temp_dir.h"

using namespace dltrain;

namespace {

dist::LaunchOptions shell_workers(int workers, const std::string& script) {
  dist::LaunchOptions options;
  options.workers = workers;
  options.program = "/bin/sh";
  options.arguments = {"-c", script};
  options.grace_seconds = 2.0;
  return options;
}

}  // namespace

TEST_CASE("each worker gets its rank and the job's rendezvous in the environment") {
  TempDir dir;
  const auto options = shell_workers(
      3, "echo \"$RANK $LOCAL_RANK $WORLD_SIZE $LOCAL_WORLD_SIZE $MASTER_ADDR $MASTER_PORT\" > " + dir.path + "/$RANK");
  CHECK(dist::launch_local_workers(options) == 0);
  std::string port;
  for (int rank = 0; rank < 3; ++rank) {
    std::stringstream fields(read_file(dir.path + "/" + std::to_string(rank)));
    int r, local, world, local_world;
    std::string addr, this_port;
    fields >> r >> local >> world >> local_world >> addr >> this_port;
    CHECK(r == rank);
    CHECK(local == rank);
    CHECK(world == 3);
    CHECK(local_world == 3);
    CHECK(addr == "127.0.0.1");
    if (rank == 0) port = this_port;
    CHECK(this_port == port);
  }
  CHECK(std::stoi(port) > 0);
}

TEST_CASE("the first failing worker is named and the others are stopped, none left behind") {
  TempDir dir;
  // Rank 1 fails at once; rank 0 would sleep for a minute and records its pid.
  const auto options = shell_workers(
      2, "if [ $RANK = 1 ]; then exit 7; fi; echo $$ > " + dir.path + "/pid; exec sleep 60");
  const auto start = std::chrono::steady_clock::now();
  try {
    dist::launch_local_workers(options);
    FAIL("a failed worker went unreported");
  } catch (const Error& error) {
    CHECK_THAT(error.what(), Catch::Contains("rank 1") && Catch::Contains("exited with status 7"));
    CHECK(error.code() == ExitCode::internal);
  }
  CHECK(std::chrono::steady_clock::now() - start < std::chrono::seconds(20));
  const std::string pid = read_file(dir.path + "/pid");
  if (!pid.empty()) CHECK(kill(std::stoi(pid), 0) != 0);  // gone
}

TEST_CASE("a config or data error every worker meets keeps its exit code") {
  try {
    dist::launch_local_workers(shell_workers(2, "exit 3"));
    FAIL("a failed worker went unreported");
  } catch (const Error& error) {
    CHECK(error.code() == ExitCode::data);
  }
}

TEST_CASE("workers that stop for a signal with their checkpoint give the interrupt exit code") {
  CHECK(dist::launch_local_workers(shell_workers(2, "exit 130")) == 130);
}
