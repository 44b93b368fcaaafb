// Data-parallel training through the real binary: two Gloo ranks equal one process with the
// same global batch, a killed worker stops the job naming its rank, two separately started
// "machines" train together, an interrupted job resumes, and a missing peer fails in time.
#include <arpa/inet.h>
#include <catch2/catch.hpp>
#include <netinet/in.h>
#include <sys/socket.h>
#include <torch/torch.h>
#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <thread>

#include "checkpoint_tensors.h"
#include "cli_runner.h"
#include "temp_dir.h"

namespace {

// No dropout or batch norm: two ranks with half batches must take exactly one process's steps.
// SGD: float rounding in the averaged gradients stays that size (Adam divides small gradients by
// their small second moments and drifts ~1e-5 over 30 steps).
const std::string kDataParallelConfig =
    "name: ddp\n"
    "seed: 5\n"
    "threads: 1\n"
    "deterministic: true\n"
    "data:\n"
    "  subset: {train: 600, test: 200}\n"
    "  val_split: 0.2\n"
    "  batch_size: 32\n"
    "  workers: 0\n"
    "model: {type: mlp, hidden: [32], norm: none}\n"
    "optimizer: {type: sgd, lr: 0.05, momentum: 0.9}\n"
    "train: {epochs: 2, log_every: 5}\n"
    "distributed: {timeout_s: 30}\n";

int unused_port() {
  const int fd = socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  socklen_t length = sizeof address;
  bind(fd, reinterpret_cast<sockaddr*>(&address), sizeof address);
  getsockname(fd, reinterpret_cast<sockaddr*>(&address), &length);
  close(fd);
  return ntohs(address.sin_port);
}

double max_difference(const std::string& a, const std::string& b) {
  const auto left = named_checkpoint_tensors(a), right = named_checkpoint_tensors(b);
  REQUIRE(left.size() == right.size());
  double worst = 0.0;
  for (std::size_t i = 0; i < left.size(); ++i) {
    REQUIRE(left[i].first == right[i].first);
    worst = std::max(worst, (left[i].second - right[i].second).abs().max().item<double>());
  }
  return worst;
}

nlohmann::json summary_of(const std::string& run_dir) { return nlohmann::json::parse(read_file(run_dir + "/summary.json")); }

// The processes whose command line mentions `needle` (a test's unique directory).
int processes_mentioning(const std::string& needle) {
  int found = 0;
  for (const auto& entry : std::filesystem::directory_iterator("/proc")) {
    const std::string cmdline = read_file(entry.path().string() + "/cmdline");
    if (cmdline.find(needle) != std::string::npos && cmdline.find("/proc") == std::string::npos) ++found;
  }
  return found;
}

}  // namespace

TEST_CASE("two Gloo ranks with global batch B end with one process's parameters and epoch metrics") {
  TempDir dir;
  write_file(dir.file("ddp.yaml"), kDataParallelConfig);
  const auto single = run_dltrain("run " + dir.file("ddp.yaml") + " --output " + dir.file("runs") + " --set name=single", dir.path);
  REQUIRE(single.exit_code == 0);
  const auto pair = run_dltrain("run " + dir.file("ddp.yaml") + " --output " + dir.file("runs") + " --nproc-per-node 2", dir.path);
  INFO(pair.err);
  REQUIRE(pair.exit_code == 0);
  CHECK(pair.err.find("[rank 1] ") != std::string::npos);  // the workers' lines carry their rank
  CHECK(pair.err.find("[rank 0] ") != std::string::npos);

  CHECK(max_difference(dir.file("runs/single/checkpoints/last.pt"), dir.file("runs/ddp/checkpoints/last.pt")) < 1e-5);
  const auto one = summary_of(dir.file("runs/single")), two = summary_of(dir.file("runs/ddp"));
  for (const char* metric : {"train/loss", "val/loss", "test/loss"})
    CHECK(two["final"][metric].get<double>() == Approx(one["final"][metric].get<double>()).margin(1e-5));
  for (const char* metric : {"train/accuracy", "val/accuracy", "test/accuracy", "val/macro_f1"})
    CHECK(two["final"][metric].get<double>() == one["final"][metric].get<double>());
  CHECK(two["distributed"]["world_size"] == 2);
  CHECK(two["distributed"]["allreduce_seconds"].get<double>() > 0.0);
  // Only rank 0 wrote: one run directory, no ddp-2 from the other rank.
  CHECK_FALSE(std::filesystem::exists(dir.file("runs/ddp-2")));
}

TEST_CASE("with sync_batchnorm, two ranks train a batch-norm CNN like one process with the whole batch") {
  TempDir dir;
  write_file(dir.file("ddp.yaml"), kDataParallelConfig);
  // A small step: batch-norm training amplifies float rounding (the kernels sum in different
  // orders) by orders of magnitude at large learning rates, in PyTorch as here.
  const std::string cnn = " --set model.type=cnn --set model.channels=[4] --set model.norm=batch --set model.hidden=[16]"
                          " --set optimizer.lr=0.002 --set optimizer.momentum=0.5";
  const auto single = run_dltrain("run " + dir.file("ddp.yaml") + " --output " + dir.file("runs") + " --set name=single" + cnn, dir.path);
  REQUIRE(single.exit_code == 0);
  const auto synced = run_dltrain("run " + dir.file("ddp.yaml") + " --output " + dir.file("runs") + cnn +
                                      " --set distributed.sync_batchnorm=true --nproc-per-node 2",
                                  dir.path);
  INFO(synced.err);
  REQUIRE(synced.exit_code == 0);
  // Parameters and the running statistics alike.
  CHECK(max_difference(dir.file("runs/single/checkpoints/last.pt"), dir.file("runs/ddp/checkpoints/last.pt")) < 1e-5);
  CHECK(summary_of(dir.file("runs/ddp"))["final"]["val/accuracy"] == summary_of(dir.file("runs/single"))["final"]["val/accuracy"]);
}

TEST_CASE("killing one worker mid-epoch stops the job, naming the rank, and leaves no worker behind") {
  TempDir dir;
  write_file(dir.file("ddp.yaml"), kDataParallelConfig);
  const auto start = std::chrono::steady_clock::now();
  const auto result = run_dltrain("run " + dir.file("ddp.yaml") + " --output " + dir.file("runs") + " --nproc-per-node 2",
                                  dir.path, "DLTRAIN_FAULT_AT=step:4 DLTRAIN_FAULT_RANK=1");
  INFO(result.err);
  CHECK(result.exit_code == 1);
  CHECK(result.err.find("error: launcher: rank 1 ") != std::string::npos);
  CHECK(result.err.find("killed by signal 9") != std::string::npos);
  CHECK(std::chrono::steady_clock::now() - start < std::chrono::seconds(60));
  CHECK(processes_mentioning(dir.path) == 0);
}

TEST_CASE("two separately started processes with the torchrun variables train together") {
  TempDir dir, rank1_dir;
  write_file(dir.file("ddp.yaml"), kDataParallelConfig);
  const std::string env = "WORLD_SIZE=2 MASTER_ADDR=127.0.0.1 MASTER_PORT=" + std::to_string(unused_port());
  const std::string args = "run " + dir.file("ddp.yaml") + " --output " + dir.file("runs");
  CliResult rank1;
  std::thread other([&] { rank1 = run_dltrain(args, rank1_dir.path, env + " RANK=1"); });
  const auto rank0 = run_dltrain(args, dir.path, env + " RANK=0");
  other.join();
  INFO(rank0.err + rank1.err);
  REQUIRE(rank0.exit_code == 0);
  REQUIRE(rank1.exit_code == 0);
  CHECK(summary_of(dir.file("runs/ddp"))["distributed"]["world_size"] == 2);
  CHECK(rank1.err.find("epoch 2/2") == std::string::npos);  // rank 1 reports warnings only
}

TEST_CASE("without a launcher, a peer that dies makes the survivor fail at once with one line, not hang") {
  TempDir dir, rank1_dir;
  write_file(dir.file("ddp.yaml"), kDataParallelConfig);
  const std::string env = "WORLD_SIZE=2 MASTER_ADDR=127.0.0.1 MASTER_PORT=" + std::to_string(unused_port());
  const std::string args = "run " + dir.file("ddp.yaml") + " --output " + dir.file("runs");
  const auto start = std::chrono::steady_clock::now();
  CliResult rank1;
  std::thread other([&] { rank1 = run_dltrain(args, rank1_dir.path, env + " RANK=1 DLTRAIN_FAULT_AT=step:4"); });
  const auto rank0 = run_dltrain(args, dir.path, env + " RANK=0");
  other.join();
  INFO(rank0.err);
  CHECK(rank1.exit_code != 0);  // killed
  CHECK(rank0.exit_code == 1);
  CHECK(rank0.err.find("error: rank 0 of 2: all-reduce failed") != std::string::npos);
  CHECK(std::chrono::steady_clock::now() - start < std::chrono::seconds(25));  // distributed.timeout_s is 30
}

TEST_CASE("an interrupted data-parallel job stops all ranks at one step and resumes to the uninterrupted result") {
  TempDir dir;
  write_file(dir.file("ddp.yaml"), kDataParallelConfig);
  const std::string args = "run " + dir.file("ddp.yaml") + " --output " + dir.file("runs") + " --nproc-per-node 2";
  REQUIRE(run_dltrain(args + " --set name=whole", dir.path).exit_code == 0);
  // SIGINT reaches rank 1 only, mid-epoch 1: rank 0 learns of it in the same step's all-reduce.
  const auto stopped = run_dltrain(args + " --set name=cut", dir.path, "DLTRAIN_FAULT_AT=step:6:SIGINT DLTRAIN_FAULT_RANK=1");
  INFO(stopped.err);
  REQUIRE(stopped.exit_code == 130);
  CHECK(stopped.err.find("resume with: dltrain run --resume") != std::string::npos);
  const auto resumed = run_dltrain("run --resume " + dir.file("runs/cut") + " --nproc-per-node 2", dir.path);
  INFO(resumed.err);
  REQUIRE(resumed.exit_code == 0);
  CHECK(max_difference(dir.file("runs/whole/checkpoints/last.pt"), dir.file("runs/cut/checkpoints/last.pt")) < 1e-6);
}

TEST_CASE("a rank whose peers never start fails within distributed.timeout_s with one line and no run directory") {
  TempDir dir;
  write_file(dir.file("ddp.yaml"), kDataParallelConfig);
  const auto start = std::chrono::steady_clock::now();
  const auto result = run_dltrain("run " + dir.file("ddp.yaml") + " --output " + dir.file("runs") +
                                      " --set distributed.timeout_s=2",
                                  dir.path, "WORLD_SIZE=2 RANK=0 MASTER_ADDR=127.0.0.1 MASTER_PORT=" + std::to_string(unused_port()));
  CHECK(result.exit_code == 1);
  CHECK(result.err.find("error: rank 0 of 2: could not rendezvous") != std::string::npos);
  CHECK(std::chrono::steady_clock::now() - start < std::chrono::seconds(30));
  CHECK_FALSE(std::filesystem::exists(dir.file("runs")));
}

TEST_CASE("a global batch that does not split over the ranks keeps the config error's exit code") {
  TempDir dir;
  write_file(dir.file("ddp.yaml"), kDataParallelConfig);
  const auto result =
      run_dltrain("run " + dir.file("ddp.yaml") + " --output " + dir.file("runs") + " --nproc-per-node 3", dir.path);
  CHECK(result.exit_code == 2);
  CHECK(result.err.find("data.batch_size: 32 is the global batch and must split evenly over the 3 ranks") !=
        std::string::npos);
}
