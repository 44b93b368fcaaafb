// train.profile_steps: the profiler records exactly the asked steps after its warm-up, attributes
// self time to the operators a step runs (a linear layer's matmuls, called once per step), and
// writes what it recorded when the run ends first.
#include <catch2/catch.hpp>
#include <torch/torch.h>

#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>
#include <string>

#include "dltrain/train/step_profiler.h"
#include "temp_dir.h"

using namespace dltrain::train;

namespace {

// One training step of a linear layer: addmm forward, mm twice backward (input and weight).
void linear_step(torch::nn::Linear& layer, const torch::Tensor& x) {
  layer->zero_grad();
  layer->forward(x).pow(2).sum().backward();
}

nlohmann::json read_json(const std::string& path) {
  std::ifstream in(path);
  REQUIRE(in);
  return nlohmann::json::parse(in);
}

}  // namespace

TEST_CASE("the profiler records the asked steps after the warm-up and names their operators") {
  TempDir dir;
  torch::nn::Linear layer(64, 32);
  const auto x = torch::randn({16, 64}, torch::requires_grad(true));
  {
    StepProfiler profiler(/*steps=*/3, dir.path, /*warmup=*/2);
    for (int i = 0; i < 8; ++i) {  // more steps than it records
      profiler.before_step();
      linear_step(layer, x);
      profiler.after_step();
    }
  }
  const auto profile = read_json(dir.file("profile.json"));
  CHECK(profile["steps"] == 3);
  CHECK(profile["step_ms"].get<double>() > 0.0);
  double total = 0.0, addmm_calls = 0.0;
  std::string largest = profile["operators"][0]["name"];
  for (const auto& op : profile["operators"]) {
    CHECK(op["self_ms"].get<double>() >= 0.0);
    total += op["self_ms"].get<double>();
    if (op["name"] == "aten::addmm") addmm_calls = op["calls"].get<double>();
  }
  CHECK(addmm_calls == 1.0);  // per step: the recorded steps alone, not the warm-up or the rest
  CHECK(total <= profile["step_ms"].get<double>() * 1.05);
  std::ifstream markdown(dir.file("profile.md"));
  std::stringstream text;
  text << markdown.rdbuf();
  CHECK(text.str().find("3 steps") != std::string::npos);
  CHECK(text.str().find("| `" + largest + "` |") != std::string::npos);
}

TEST_CASE("a run that ends while the profiler records still gets the steps it recorded") {
  TempDir dir;
  torch::nn::Linear layer(8, 4);
  const auto x = torch::randn({4, 8});
  {
    StepProfiler profiler(/*steps=*/50, dir.path, /*warmup=*/1);
    for (int i = 0; i < 3; ++i) {
      profiler.before_step();
      linear_step(layer, x);
      profiler.after_step();
    }
    profiler.finish();  // the epoch ended
    profiler.before_step();  // later steps are not recorded
    linear_step(layer, x);
    profiler.after_step();
  }
  CHECK(read_json(dir.file("profile.json"))["steps"] == 2);
}

TEST_CASE("no profile is written when no step was recorded") {
  TempDir dir;
  { StepProfiler profiler(5, dir.path, /*warmup=*/10); }
  CHECK_FALSE(std::ifstream(dir.file("profile.json")).good());
}
