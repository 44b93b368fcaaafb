// Suggestions for mistyped names.
#include "dltrain/config/did_you_mean.h"

#include <catch2/catch.hpp>

using namespace dltrain::config;

TEST_CASE("a one-letter typo suggests the intended name") {
  CHECK(closest_match("momentun", {"lr", "momentum", "nesterov"}) == std::optional<std::string>("momentum"));
  CHECK(closest_match("epoch", {"epochs", "log_every"}) == std::optional<std::string>("epochs"));
}

TEST_CASE("swapped letters and case slips count as small edits") {
  CHECK(closest_match("modle", {"model", "data"}) == std::optional<std::string>("model"));
  CHECK(closest_match("LR", {"lr", "eps"}) == std::optional<std::string>("lr"));
}

TEST_CASE("a name that extends a valid key suggests that key") {
  CHECK(closest_match("lr_rate", {"type", "lr", "momentum", "betas", "eps"}) == std::optional<std::string>("lr"));
}

TEST_CASE("nothing close means no suggestion") {
  CHECK_FALSE(closest_match("learning_schedule", {"type", "lr", "momentum", "eps"}));
  CHECK_FALSE(closest_match("x", {"lr", "eps"}));
  CHECK(did_you_mean("zzz", {"lr"}).empty());
}

TEST_CASE("did_you_mean phrases the suggestion for an error message") {
  CHECK(did_you_mean("lrr", {"lr"}) == "; did you mean \"lr\"?");
}
