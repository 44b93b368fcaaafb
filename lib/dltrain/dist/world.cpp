#include "dltrain/dist/world.h"

#include <cstdlib>
#include <limits>
#include <vector>

#include "dltrain/core/error.h"

namespace dltrain::dist {
namespace {

const char* const kNames[] = {"RANK", "WORLD_SIZE", "LOCAL_RANK", "LOCAL_WORLD_SIZE", "MASTER_ADDR", "MASTER_PORT"};

int parse_int(const std::map<std::string, std::string>& env, const std::string& name, int low, int high) {
  const auto found = env.find(name);
  if (found == env.end() || found->second.empty())
    throw ConfigError("environment variable " + name + " is not set (WORLD_SIZE=" + env.at("WORLD_SIZE") +
                      " needs RANK, WORLD_SIZE, MASTER_ADDR and MASTER_PORT)");
  const std::string& text = found->second;
  std::size_t used = 0;
  long long value = 0;
  try {
    value = std::stoll(text, &used);
  } catch (const std::exception&) {
    used = 0;
  }
  if (used != text.size() || value < low || value > high)
    throw ConfigError("environment variable " + name + "=" + text + ": expected an integer in [" +
                      std::to_string(low) + ", " + std::to_string(high) + "]");
  return static_cast<int>(value);
}

}  // namespace

std::optional<World> world_from(const std::map<std::string, std::string>& env) {
  const auto size = env.find("WORLD_SIZE");
  if (size == env.end() || size->second.empty() || size->second == "1") return std::nullopt;
  World world;
  world.size = parse_int(env, "WORLD_SIZE", 1, 65536);
  world.rank = parse_int(env, "RANK", 0, world.size - 1);
  // Without the local variables every rank is taken to be on its own machine.
  world.local_rank = env.count("LOCAL_RANK") ? parse_int(env, "LOCAL_RANK", 0, world.size - 1) : 0;
  world.local_size = env.count("LOCAL_WORLD_SIZE") ? parse_int(env, "LOCAL_WORLD_SIZE", 1, world.size) : 1;
  if (world.local_rank >= world.local_size)
    throw ConfigError("environment: LOCAL_RANK=" + std::to_string(world.local_rank) +
                      " must be below LOCAL_WORLD_SIZE=" + std::to_string(world.local_size));
  const auto addr = env.find("MASTER_ADDR");
  if (addr == env.end() || addr->second.empty())
    throw ConfigError("environment variable MASTER_ADDR is not set (the host of rank 0)");
  world.master_addr = addr->second;
  world.master_port = parse_int(env, "MASTER_PORT", 1, 65535);
  return world;
}

std::optional<World> world_from_environment() {
  std::map<std::string, std::string> env;
  for (const char* name : kNames)
    if (const char* value = std::getenv(name)) env[name] = value;
  return world_from(env);
}

}  // namespace dltrain::dist
