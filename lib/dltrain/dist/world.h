// Who this process is in a distributed job, read from the environment variables that torchrun,
// Slurm wrappers and Kubernetes operators set: RANK, WORLD_SIZE, LOCAL_RANK, LOCAL_WORLD_SIZE,
// MASTER_ADDR, MASTER_PORT. dltrain's own launcher (--nproc-per-node) sets the same ones.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>

namespace dltrain::dist {

struct World {
  int rank = 0;
  int size = 1;
  int local_rank = 0;
  int local_size = 1;
  std::string master_addr = "127.0.0.1";
  int master_port = 29500;
};

// The world described by `env` (name -> value), or nullopt when WORLD_SIZE is unset or 1 (a
// single process). Throws ConfigError naming the variable for a missing or malformed one.
std::optional<World> world_from(const std::map<std::string, std::string>& env);

// world_from() over this process's environment.
std::optional<World> world_from_environment();

}  // namespace dltrain::dist
