// The job's shape comes from torchrun's environment variables; malformed ones are named.
#include <catch2/catch.hpp>

#include "dltrain/core/error.h"
#include "dltrain/dist/world.h"

using namespace dltrain;
using dist::world_from;

namespace {

std::map<std::string, std::string> job(const std::string& rank, const std::string& size) {
  return {{"RANK", rank}, {"WORLD_SIZE", size}, {"MASTER_ADDR", "10.0.0.1"}, {"MASTER_PORT", "29501"}};
}

std::string message_of(const std::map<std::string, std::string>& env) {
  try {
    world_from(env);
  } catch (const ConfigError& error) {
    return error.what();
  }
  return "";
}

}  // namespace

TEST_CASE("no WORLD_SIZE, or a world of one, is a single process") {
  CHECK_FALSE(world_from({}).has_value());
  CHECK_FALSE(world_from(job("0", "1")).has_value());
}

TEST_CASE("the torchrun variables describe the rank, the world and the rendezvous") {
  auto env = job("3", "4");
  env["LOCAL_RANK"] = "1";
  env["LOCAL_WORLD_SIZE"] = "2";
  const auto world = world_from(env);
  REQUIRE(world.has_value());
  CHECK(world->rank == 3);
  CHECK(world->size == 4);
  CHECK(world->local_rank == 1);
  CHECK(world->local_size == 2);
  CHECK(world->master_addr == "10.0.0.1");
  CHECK(world->master_port == 29501);
}

TEST_CASE("without the local variables each rank is alone on its machine") {
  const auto world = world_from(job("1", "2"));
  REQUIRE(world.has_value());
  CHECK(world->local_rank == 0);
  CHECK(world->local_size == 1);
}

TEST_CASE("a missing or malformed variable is a config error that names it") {
  auto env = job("2", "2");
  CHECK(message_of(env).find("RANK=2: expected an integer in [0, 1]") != std::string::npos);
  env = job("x", "2");
  CHECK(message_of(env).find("RANK=x") != std::string::npos);
  env = job("0", "2");
  env.erase("MASTER_ADDR");
  CHECK(message_of(env).find("MASTER_ADDR is not set") != std::string::npos);
  env = job("0", "2");
  env["MASTER_PORT"] = "70000";
  CHECK(message_of(env).find("MASTER_PORT=70000") != std::string::npos);
  env = job("0", "2");
  env.erase("RANK");
  CHECK(message_of(env).find("RANK is not set") != std::string::npos);
  env = job("0", "2");
  env["LOCAL_RANK"] = "1";
  env["LOCAL_WORLD_SIZE"] = "1";
  CHECK(message_of(env).find("LOCAL_RANK=1 must be below LOCAL_WORLD_SIZE=1") != std::string::npos);
}
