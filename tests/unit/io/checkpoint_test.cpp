// Checkpoints round-trip weights, optimizer state and metadata, and refuse mismatched or
// foreign files with a one-line data error.
#include <catch2/catch.hpp>
#include <torch/torch.h>

#include <fstream>

#include "dltrain/core/error.h"
#include "dltrain/io/checkpoint.h"
#include "temp_dir.h"

using namespace dltrain;

namespace {

torch::nn::Sequential small_model(int64_t out = 3) {
  return torch::nn::Sequential(torch::nn::Linear(4, 8), torch::nn::BatchNorm1d(8), torch::nn::Linear(8, out));
}

io::CheckpointInfo sample_info() {
  io::CheckpointInfo info;
  info.epoch = 7;
  info.config_yaml = "name: x\n";
  info.metrics_json = R"({"epoch":7})";
  info.class_names = {"a", "b", "c"};
  info.input_shape = {4};
  info.lr = 0.01;
  return info;
}

}  // namespace

TEST_CASE("a checkpoint restores weights, buffers, optimizer state and metadata") {
  TempDir tmp;
  const std::string path = tmp.path + "/last.pt";
  torch::manual_seed(1);
  auto model = small_model();
  auto optimizer = std::make_unique<torch::optim::Adam>(model->parameters(), torch::optim::AdamOptions(0.01));
  model->forward(torch::randn({5, 4})).sum().backward();  // running stats and grads
  optimizer->step();
  io::save_checkpoint(path, *model, optimizer.get(), sample_info());

  torch::manual_seed(2);
  auto restored = small_model();
  auto restored_optimizer =
      std::make_unique<torch::optim::Adam>(restored->parameters(), torch::optim::AdamOptions(0.5));
  auto info = io::load_checkpoint(path, *restored, restored_optimizer.get());
  CHECK(info.epoch == 7);
  CHECK(info.class_names == std::vector<std::string>{"a", "b", "c"});
  CHECK(info.config_yaml == "name: x\n");
  CHECK(restored_optimizer->param_groups()[0].options().get_lr() == 0.01);
  auto original = model->named_parameters();
  for (const auto& p : restored->named_parameters()) CHECK(torch::equal(p.value(), original[p.key()]));
  auto original_buffers = model->named_buffers();
  for (const auto& b : restored->named_buffers()) CHECK(torch::equal(b.value(), original_buffers[b.key()]));
  CHECK(restored_optimizer->state().size() == optimizer->state().size());
}

TEST_CASE("a shape mismatch names the tensor and both shapes") {
  TempDir tmp;
  const std::string path = tmp.path + "/last.pt";
  auto model = small_model(3);
  io::save_checkpoint(path, *model, nullptr, sample_info());
  auto other = small_model(5);
  try {
    io::load_checkpoint(path, *other, nullptr);
    FAIL("expected a DataError");
  } catch (const DataError& e) {
    CHECK_THAT(e.what(), Catch::Contains("2.weight") && Catch::Contains("[3, 8]") && Catch::Contains("[5, 8]"));
  }
}

TEST_CASE("a truncated or foreign checkpoint is a one-line data error") {
  TempDir tmp;
  const std::string path = tmp.path + "/last.pt";
  auto model = small_model();
  io::save_checkpoint(path, *model, nullptr, sample_info());
  std::string bytes;
  {
    std::ifstream in(path, std::ios::binary);
    bytes.assign((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  }
  std::ofstream(path, std::ios::binary | std::ios::trunc).write(bytes.data(), bytes.size() / 2);
  CHECK_THROWS_AS(io::read_checkpoint_info(path), DataError);

  std::ofstream(tmp.path + "/foreign.pt") << "not a checkpoint at all";
  try {
    io::read_checkpoint_info(tmp.path + "/foreign.pt");
    FAIL("expected a DataError");
  } catch (const DataError& e) {
    const std::string message = e.what();
    CHECK(message.find('\n') == std::string::npos);
    CHECK_THAT(message, Catch::Contains("foreign.pt"));
  }
  CHECK_THROWS_WITH(io::read_checkpoint_info(tmp.path + "/missing.pt"), Catch::Contains("no such file"));
}

TEST_CASE("a weights-only checkpoint refuses to restore an optimizer") {
  TempDir tmp;
  const std::string path = tmp.path + "/best.pt";
  auto model = small_model();
  io::save_checkpoint(path, *model, nullptr, sample_info());
  auto optimizer = std::make_unique<torch::optim::SGD>(model->parameters(), torch::optim::SGDOptions(0.1));
  CHECK_THROWS_WITH(io::load_checkpoint(path, *model, optimizer.get()), Catch::Contains("no optimizer state"));
}

namespace {

// Stands for a scheduler or EMA: any object with save/load(archive), not a ResumableState.
struct Counter {
  int64_t steps = 0;
  void save(torch::serialize::OutputArchive& archive) const { archive.write("steps", c10::IValue(steps)); }
  void load(torch::serialize::InputArchive& archive) {
    c10::IValue value;
    archive.read("steps", value);
    steps = value.toInt();
  }
};

}  // namespace

TEST_CASE("extra state travels in named slots, a missing slot is a data error naming it") {
  TempDir tmp;
  const std::string path = tmp.path + "/last.pt";
  auto model = small_model();
  Counter scheduler{41};
  io::ResumableRef<Counter> slot(scheduler);
  io::save_checkpoint(path, *model, nullptr, sample_info(), {{"scheduler", &slot}});

  Counter restored;
  io::ResumableRef<Counter> restored_slot(restored);
  io::load_checkpoint(path, *model, nullptr, {{"scheduler", &restored_slot}});
  CHECK(restored.steps == 41);

  Counter ema;
  io::ResumableRef<Counter> ema_slot(ema);
  CHECK_THROWS_WITH(io::load_checkpoint(path, *model, nullptr, {{"ema", &ema_slot}}),
                    Catch::Contains("no \"ema\" state"));
}
