// Every optimizer follows torch.optim's parameter trajectory on a fixed problem (golden values
// from PyTorch 1.13.1, tests/fixtures/optim/optimizers.json), including the default no-decay
// group for 1-D parameters and a pattern group with its own lr.
#include <catch2/catch.hpp>
#include <torch/torch.h>

#include <set>
#include <sstream>

#include "dltrain/optim/optimizer_factory.h"
#include "golden_fixture.h"

using namespace dltrain;

namespace {

torch::Tensor tensor_of(const nlohmann::json& values, std::vector<int64_t> shape) {
  return torch::tensor(values.get<std::vector<double>>(), torch::kFloat64).reshape(shape);
}

config::OptimizerConfig optimizer_config(const nlohmann::json& o) {
  config::OptimizerConfig c;
  c.type = o.at("type").get<std::string>();
  c.lr = o.at("lr");
  c.momentum = o.value("momentum", 0.0);
  c.dampening = o.value("dampening", 0.0);
  c.nesterov = o.value("nesterov", false);
  c.weight_decay = o.value("weight_decay", 0.0);
  if (o.contains("betas")) c.betas = o["betas"].get<std::vector<double>>();
  c.eps = o.value("eps", 1e-8);
  c.amsgrad = o.value("amsgrad", false);
  c.alpha = o.value("alpha", 0.99);
  c.centered = o.value("centered", false);
  c.lr_decay = o.value("lr_decay", 0.0);
  c.initial_accumulator_value = o.value("initial_accumulator_value", 0.0);
  return c;
}

}  // namespace

TEST_CASE("every optimizer matches torch.optim's parameter trajectory to 1e-6") {
  const auto golden = read_golden("optimizers.json");
  const auto x = tensor_of(golden["x"], {5, 4});
  const auto y = tensor_of(golden["y"], {5, 3});
  std::set<std::string> types;
  for (const auto& c : golden["cases"]) {
    const std::string name = c["name"];
    SECTION(name) {
      auto w = tensor_of(golden["w0"], {3, 4}).requires_grad_(true);
      auto b = tensor_of(golden["b0"], {3}).requires_grad_(true);
      auto options = optimizer_config(c["options"]);
      const double b_scale = c["b_lr_scale"];
      if (b_scale != 1.0) options.param_groups.push_back({"b", b_scale, 1.0});
      auto built = optim::build_optimizer(options, optim::NamedParameters{{"w", w}, {"b", b}});
      REQUIRE(built.groups.size() == 2);
      CHECK(built.groups[1].weight_decay == 0.0);  // b is 1-D: no weight decay by default
      CHECK(built.groups[1].lr == Approx(options.lr * b_scale));
      const auto& trajectory = c["trajectory"];
      REQUIRE(trajectory.size() >= 5);
      for (std::size_t step = 0; step < trajectory.size(); ++step) {
        built.optimizer->zero_grad();
        auto loss = (torch::matmul(x, w.t()) + b - y).pow(2).sum() + 0.1 * w.pow(4).sum();
        loss.backward();
        built.optimizer->step();
        const auto expect_w = trajectory[step]["w"].get<std::vector<double>>();
        const auto expect_b = trajectory[step]["b"].get<std::vector<double>>();
        const auto got_w = w.detach().flatten();
        for (std::size_t i = 0; i < expect_w.size(); ++i) {
          INFO(name << " step " << step + 1 << " w[" << i << "]");
          CHECK(close(got_w[i].item<double>(), expect_w[i]));
        }
        for (std::size_t i = 0; i < expect_b.size(); ++i) {
          INFO(name << " step " << step + 1 << " b[" << i << "]");
          CHECK(close(b[i].item<double>(), expect_b[i]));
        }
      }
    }
    types.insert(c["options"]["type"].get<std::string>());
  }
  CHECK(types == std::set<std::string>{"sgd", "adam", "adamw", "rmsprop", "adagrad"});
}
