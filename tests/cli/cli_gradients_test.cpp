// The vanishing-gradient config pair, end to end: the gradient health rows show the sigmoid
// network's first layer starved of gradient (and the monitor warns), the fixed network's not.
#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>

#include <fstream>

#include "cli_runner.h"
#include "temp_dir.h"

namespace {

const std::string kShort =
    " --set data.subset.train=2000 --set data.subset.test=200 --set train.epochs=1 --set train.log_every=5";

// The first layer's gradient norm in the last gradient-health row of the run.
double last_first_layer_gradient(const std::string& run_dir) {
  std::ifstream in(run_dir + "/metrics.jsonl");
  double norm = -1.0;
  for (std::string line; std::getline(in, line);) {
    const auto row = nlohmann::json::parse(line);
    if (row.contains("step")) norm = row.at("grad_norm/fc1.weight").get<double>();
  }
  return norm;
}

}  // namespace

TEST_CASE("the gradient monitor shows vanishing gradients in the sigmoid MLP and healthy ones in the fixed MLP") {
  TempDir tmp;
  const std::string source = DLTRAIN_SOURCE_DIR;
  auto sigmoid = run_dltrain("run " + source + "/configs/vanishing_sigmoid.yaml --output " + tmp.path + kShort, tmp.path);
  REQUIRE(sigmoid.exit_code == 0);
  CHECK_THAT(sigmoid.err, Catch::Contains("vanishing gradients: layer fc1.weight"));
  CHECK(last_first_layer_gradient(tmp.path + "/vanishing-sigmoid") < 1e-12);

  auto fixed = run_dltrain("run " + source + "/configs/vanishing_fixed.yaml --output " + tmp.path + kShort, tmp.path);
  REQUIRE(fixed.exit_code == 0);
  CHECK_THAT(fixed.err, !Catch::Contains("vanishing gradients"));
  CHECK(last_first_layer_gradient(tmp.path + "/vanishing-fixed") > 1e-3);
}
