// Every schedule (with and without warmup) gives torch.optim.lr_scheduler's lr sequence over a
// whole run, for two parameter groups (golden values in tests/fixtures/optim/schedules.json).
#include <catch2/catch.hpp>
#include <torch/torch.h>

#include <set>
#include <sstream>

#include "dltrain/optim/lr_scheduler.h"
#include "golden_fixture.h"

using namespace dltrain;

namespace {

config::SchedulerConfig scheduler_config(const nlohmann::json& s) {
  config::SchedulerConfig c;
  c.type = s.at("type").get<std::string>();
  c.warmup_epochs = s.value("warmup_epochs", 0);
  c.warmup_steps = s.value("warmup_steps", 0);
  c.warmup_start_factor = s.value("warmup_start_factor", 0.01);
  c.step_size = s.value("step_size", 10);
  if (s.contains("milestones")) c.milestones = s["milestones"].get<std::vector<int64_t>>();
  c.gamma = s.value("gamma", 0.1);
  c.min_lr = s.value("min_lr", 0.0);
  c.restart_epochs = s.value("restart_epochs", 10);
  c.restart_mult = s.value("restart_mult", 1);
  c.power = s.value("power", 1.0);
  c.pct_start = s.value("pct_start", 0.3);
  c.div_factor = s.value("div_factor", 25.0);
  c.final_div_factor = s.value("final_div_factor", 1e4);
  c.mode = s.value("mode", std::string("min"));
  c.factor = s.value("factor", 0.1);
  c.patience = s.value("patience", 10);
  c.cooldown = s.value("cooldown", 0);
  c.threshold = s.value("threshold", 1e-4);
  return c;
}

std::unique_ptr<torch::optim::SGD> two_group_sgd(double lr, double scale) {
  std::vector<torch::optim::OptimizerParamGroup> groups;
  groups.emplace_back(std::vector<torch::Tensor>{torch::zeros({1}, torch::requires_grad())},
                      std::make_unique<torch::optim::SGDOptions>(lr));
  groups.emplace_back(std::vector<torch::Tensor>{torch::zeros({1}, torch::requires_grad())},
                      std::make_unique<torch::optim::SGDOptions>(lr * scale));
  return std::make_unique<torch::optim::SGD>(std::move(groups), torch::optim::SGDOptions(lr));
}

}  // namespace

TEST_CASE("every schedule matches torch.optim.lr_scheduler over a full run including warmup") {
  const auto golden = read_golden("schedules.json");
  std::set<std::string> types;
  for (const auto& c : golden["cases"]) {
    const std::string name = c["name"];
    types.insert(c["scheduler"]["type"].get<std::string>());
    SECTION(name) {
      const int64_t epochs = c["epochs"], spe = c["steps_per_epoch"];
      const auto metrics = c["metrics"].get<std::vector<double>>();
      auto optimizer = two_group_sgd(c["lr"], c["group_scale"]);
      optim::LrScheduler scheduler(scheduler_config(c["scheduler"]), *optimizer, spe, epochs);
      const auto& lrs = c["lrs"];
      REQUIRE(static_cast<int64_t>(lrs.size()) == epochs * spe);
      for (int64_t t = 0; t < epochs * spe; ++t) {
        for (std::size_t g = 0; g < 2; ++g) {
          INFO(name << ": step " << t << " group " << g);
          CHECK(close(optimizer->param_groups()[g].options().get_lr(), lrs[t][g].get<double>()));
        }
        scheduler.step();
        if ((t + 1) % spe == 0 && scheduler.needs_metric()) scheduler.epoch_end(metrics.at((t + 1) / spe - 1));
      }
    }
  }
  CHECK(types.size() == optim::schedule_types().size());
}

TEST_CASE("a restored scheduler continues with the same lrs, reduce_on_plateau state included") {
  config::SchedulerConfig c;
  c.type = "reduce_on_plateau";
  c.patience = 0;
  c.factor = 0.5;
  c.warmup_steps = 3;
  auto optimizer = two_group_sgd(0.1, 2.0);
  optim::LrScheduler scheduler(c, *optimizer, 4, 10);
  for (int t = 0; t < 12; ++t) scheduler.step();
  scheduler.epoch_end(1.0);
  scheduler.epoch_end(2.0);  // no improvement, patience 0: halved
  CHECK(optimizer->param_groups()[0].options().get_lr() == Approx(0.05));

  std::stringstream bytes;
  torch::serialize::OutputArchive out;
  scheduler.save(out);
  out.save_to(bytes);
  auto fresh = two_group_sgd(0.1, 2.0);
  optim::LrScheduler restored(c, *fresh, 4, 10);
  torch::serialize::InputArchive in;
  in.load_from(bytes);
  restored.load(in);
  CHECK(restored.steps_done() == 12);
  CHECK(fresh->param_groups()[0].options().get_lr() == Approx(0.05));
  CHECK(fresh->param_groups()[1].options().get_lr() == Approx(0.1));
  restored.epoch_end(3.0);  // still no better than 1.0: halved again
  scheduler.epoch_end(3.0);
  CHECK(fresh->param_groups()[0].options().get_lr() == Approx(optimizer->param_groups()[0].options().get_lr()));
  CHECK(fresh->param_groups()[0].options().get_lr() == Approx(0.025));
}
