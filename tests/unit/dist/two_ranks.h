// Runs a function as ranks 0 and 1 of a Gloo job on 127.0.0.1, one thread each, and rethrows
// the first exception a rank raised.
#pragma once

#include <exception>
#include <functional>
#include <thread>

#include "dltrain/dist/launcher.h"
#include "dltrain/dist/process_group.h"

inline dltrain::dist::World local_rank_of_two(int rank, int port) {
  dltrain::dist::World world;
  world.rank = rank;
  world.size = 2;
  world.local_rank = rank;
  world.local_size = 2;
  world.master_addr = "127.0.0.1";
  world.master_port = port;
  return world;
}

inline void run_two_ranks(const std::function<void(dltrain::dist::ProcessGroup&)>& body,
                          std::chrono::milliseconds timeout = std::chrono::milliseconds(20'000)) {
  const int port = dltrain::dist::free_local_port();
  std::exception_ptr errors[2];
  auto rank_main = [&](int rank) {
    try {
      dltrain::dist::GroupOptions options;
      options.timeout = timeout;
      dltrain::dist::ProcessGroup group(local_rank_of_two(rank, port), options);
      body(group);
    } catch (...) {
      errors[rank] = std::current_exception();
    }
  };
  std::thread other(rank_main, 1);
  rank_main(0);
  other.join();
  for (const auto& error : errors)
    if (error) std::rethrow_exception(error);
}
