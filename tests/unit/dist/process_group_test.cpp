// Gloo collectives between two ranks (threads of this process) on 127.0.0.1, and the failures
// a user can meet: nobody joins, the port is taken.
#include <catch2/catch.hpp>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <torch/torch.h>
#include <unistd.h>

#include <chrono>

#include "dltrain/core/error.h"
#include "two_ranks.h"

using namespace dltrain;

TEST_CASE("all-reduce sums, broadcast copies rank 0, any ORs a flag, share_text hands out rank 0's text") {
  run_two_ranks([](dist::ProcessGroup& group) {
    const float r = float(group.rank());
    std::vector<torch::Tensor> tensors = {torch::full({3}, r + 1), torch::full({2, 2}, 10 * r)};
    group.allreduce_sum(tensors);
    CHECK(torch::equal(tensors[0], torch::full({3}, 3.0f)));
    CHECK(torch::equal(tensors[1], torch::full({2, 2}, 10.0f)));

    std::vector<torch::Tensor> mine = {torch::full({4}, r + 7)};
    group.broadcast(mine, 0);
    CHECK(torch::equal(mine[0], torch::full({4}, 7.0f)));

    CHECK(group.any(group.rank() == 1));
    CHECK_FALSE(group.any(false));
    CHECK(group.share_text("path", group.is_main() ? "runs/a-2" : "ignored") == "runs/a-2");
  });
}

TEST_CASE("a rank whose peer never joins fails with a one-line error naming the rendezvous, within the timeout") {
  dist::World world = local_rank_of_two(0, dist::free_local_port());
  dist::GroupOptions options;
  options.timeout = std::chrono::milliseconds(1500);
  const auto start = std::chrono::steady_clock::now();
  try {
    dist::ProcessGroup group(world, options);
    FAIL("rank 0 joined a job whose rank 1 never came");
  } catch (const DistributedError& error) {
    const std::string message = error.what();
    INFO(message);
    CHECK(message.find("rank 0 of 2: could not rendezvous at 127.0.0.1:") != std::string::npos);
    CHECK(message.find('\n') == std::string::npos);
  }
  CHECK(std::chrono::steady_clock::now() - start < std::chrono::seconds(15));
}

TEST_CASE("a rendezvous port that is already in use is a clear error") {
  const int listener = socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  socklen_t length = sizeof address;
  REQUIRE(bind(listener, reinterpret_cast<sockaddr*>(&address), sizeof address) == 0);
  REQUIRE(listen(listener, 1) == 0);
  REQUIRE(getsockname(listener, reinterpret_cast<sockaddr*>(&address), &length) == 0);
  dist::GroupOptions options;
  options.timeout = std::chrono::milliseconds(1500);
  try {
    dist::ProcessGroup group(local_rank_of_two(0, ntohs(address.sin_port)), options);
    FAIL("rank 0 served a port that another socket holds");
  } catch (const DistributedError& error) {
    CHECK_THAT(error.what(), Catch::Contains("already in use") && Catch::Contains("MASTER_PORT"));
  }
  close(listener);
}

TEST_CASE("nccl on a build without NCCL is a config error") {
#ifndef USE_C10D_NCCL
  CHECK(dist::backend_for("auto", false) == "gloo");
  dist::GroupOptions options;
  options.backend = "nccl";
  options.timeout = std::chrono::milliseconds(20'000);
  const int port = dist::free_local_port();
  // Rank 1 joins the store so that rank 0 gets as far as choosing the backend.
  std::thread other([&] {
    try {
      dist::ProcessGroup group(local_rank_of_two(1, port), options);
    } catch (const Error&) {
    }
  });
  CHECK_THROWS_AS(dist::ProcessGroup(local_rank_of_two(0, port), options), ConfigError);
  other.join();
#endif
}
