// --set parser: each input line is one override applied to a valid config.
#include "dltrain/config/load_config.h"
#include "fuzz_support.h"

#include <sstream>
#include <vector>

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  static const std::string base =
      "model: {type: sequential, layers: [{type: flatten}, {type: linear, out: 10}]}\n"
      "data: {train: t, batch_size: 8, normalize: {mean: [0.5], std: [0.5]}}\n"
      "optimizer: {type: sgd, lr: 0.1, param_groups: [{match: '*.bias', lr_scale: 2}]}\n";
  std::vector<std::string> overrides;
  std::istringstream lines(std::string(reinterpret_cast<const char*>(data), size));
  for (std::string line; std::getline(lines, line);) overrides.push_back(line);
  dltrain::fuzz::expect_only_dltrain_errors(
      [&] { dltrain::config::load_config_from_string(base, "fuzz.yaml", overrides); });
  return 0;
}
