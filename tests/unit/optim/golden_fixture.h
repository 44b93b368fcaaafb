// Reads the golden fixtures that scripts/fixtures/torch_optim_golden.py wrote with torch.optim.
#pragma once

#include <catch2/catch.hpp>

#include <cmath>
#include <fstream>
#include <nlohmann/json.hpp>
#include <string>

inline nlohmann::json read_golden(const std::string& name) {
  std::ifstream in(std::string(DLTRAIN_TEST_FIXTURES) + "/optim/" + name);
  REQUIRE(in.good());
  return nlohmann::json::parse(in);
}

// 1e-6 relative, with an absolute floor for values that end at 0.
inline bool close(double actual, double expected) {
  return std::fabs(actual - expected) <= 1e-6 * std::fabs(expected) + 1e-12;
}
