// The resolved dump: every key in schema order, exact numbers, and loading it back gives an
// equal config.
#include "dltrain/config/config_compare.h"
#include "dltrain/config/load_config.h"
#include "dltrain/config/resolved_yaml.h"

#include "config_test_support.h"

#include <catch2/catch.hpp>
#include <yaml-cpp/yaml.h>

using namespace dltrain::config;

namespace {

ExperimentConfig reload(const ExperimentConfig& config) {
  return load_config_from_string(to_yaml(config), "resolved.yaml");
}

ExperimentConfig non_default_config() {
  ExperimentConfig c;
  c.name = "exp.1";
  c.seed = -3;
  c.device = "cuda:2";
  c.output = "/tmp/out dir";
  c.threads = 4;
  c.data.train = "/data/a: b";
  c.data.test = "";
  c.data.val_split = 0.1 + 0.2;  // 0.30000000000000004: needs all 17 digits
  c.data.batch_size = 7;
  c.data.eval_batch_size = 9;
  c.data.workers = 0;
  c.data.prefetch = 1;
  c.data.shuffle = false;
  c.data.drop_last = true;
  c.data.normalize.mean = {0.485, 0.456, 0.406};
  c.data.normalize.std = {0.229, 0.224, 1e-300};
  c.data.subset.train = 5;
  c.data.subset.test = 6;
  c.data.format = "image_folder";
  c.data.image_size = {24, 20};
  c.data.channels = 3;
  c.data.skip_corrupt = true;
  c.data.augment = {{"random_crop", {{"size", "24"}, {"padding_mode", "reflect"}}, {}}, {"hflip", {{"p", "0.5"}}, {}}};
  c.data.cifar.variant = "cifar100";
  c.data.cifar.label = "coarse";
  c.data.csv.label = "y";
  c.data.csv.features = "a, b";
  c.data.csv.missing = "mean";
  c.data.csv.standardize = false;
  c.model.type = "cnn";
  c.model.hidden = {};
  c.model.channels = {3, 5};
  c.model.kernel_size = 7;
  c.model.convs_per_stage = 3;
  c.model.norm = "none";
  c.model.activation = "silu";
  c.model.dropout = 1.0 / 3.0;
  c.model.init.weight = "xavier_uniform";
  c.model.init.bias = "zeros";
  c.model.init.mode = "fan_out";
  c.model.init.nonlinearity = "tanh";
  c.model.init.std = 0.02;
  c.model.input_shape = {3, 32, 32};
  c.model.num_classes = 7;
  c.model.pretrained = "runs/base: 1";
  c.model.replace_head = true;
  c.model.freeze = {"conv*", "yes", "[x"};  // read back as strings, not a boolean or a list
  c.data.classes = {5, 6, 9};
  c.train.unfreeze_at_epoch = 3;
  c.model.norm_groups = 4;
  c.model.block = "bottleneck";
  c.model.blocks = {1, 2};
  c.model.stem = "small";
  c.model.zero_init_residual = true;
  c.model.width_multiplier = 0.75;
  c.model.depth_multiplier = 1.5;
  c.model.stochastic_depth = 0.1;
  c.model.cell = "gru";
  c.model.hidden_size = 33;
  c.model.num_layers = 2;
  c.model.bidirectional = true;
  // Option text survives as given, including text YAML would read differently unquoted.
  c.model.layers = {{"conv2d", {{"out", "8"}, {"padding", "same"}, {"note", "a: b"}, {"empty", ""}, {"x", "1.50"}}, {}},
                    {"residual", {}, {{"linear", {{"out", "4"}}, {}}, {"relu", {}, {}}}}};
  c.optimizer.type = "sgd";
  c.optimizer.lr = 0.001;
  c.optimizer.momentum = 0.0;
  c.optimizer.nesterov = false;
  c.optimizer.weight_decay = 1e-4;
  c.optimizer.betas = {0.5, 0.75};
  c.optimizer.eps = 2.5e-12;
  c.loss.label_smoothing = 0.05;
  c.train.epochs = 100;
  c.train.log_every = 1;
  c.train.checkpoint.save_best = false;
  c.train.checkpoint.monitor = "null";
  c.train.checkpoint.mode = "min";
  return c;
}

}  // namespace

TEST_CASE("the dump of a default config loads back equal") {
  ExperimentConfig c;
  c.name = "defaults";
  c.model.type = "mlp";
  const ExperimentConfig back = reload(c);
  CHECK(differing_keys(back, c).empty());
  CHECK(back == c);
}

TEST_CASE("the dump of a config with every key changed loads back equal") {
  const ExperimentConfig c = non_default_config();
  REQUIRE(c != ExperimentConfig{});
  const ExperimentConfig back = reload(c);
  INFO(to_yaml(c));
  CHECK(differing_keys(back, c).empty());
  CHECK(back.data.val_split == 0.1 + 0.2);
  CHECK(back.data.test.empty());
  CHECK(back.output == "/tmp/out dir");
  CHECK(back.train.checkpoint.monitor == "null");
}

TEST_CASE("the dump of a loaded config with overrides loads back equal") {
  const ExperimentConfig c = load_config_from_string("model: {type: cnn}\noptimizer: {lr: 3e-4}\n", "in.yaml",
                                                     {"data.normalize.mean[0]=0.1", "train.epochs=2"});
  CHECK(reload(c) == c);
}

TEST_CASE("the dump writes every key of every section in schema order") {
  ExperimentConfig c;
  c.name = "n";
  c.model.type = "mlp";
  const YAML::Node dump = YAML::Load(to_yaml(c));
  std::vector<std::string> top;
  for (const auto& item : dump) top.push_back(item.first.Scalar());
  CHECK(top == std::vector<std::string>{"name", "seed", "device", "output", "threads", "deterministic", "memory_format", "data",
                                        "model", "optimizer", "scheduler", "loss", "regularization", "train", "distributed"});
  CHECK(dump["data"].size() == 22);
  CHECK(dump["data"]["batch_augment"].size() == 3);
  CHECK(dump["data"]["normalize"].size() == 2);
  CHECK(dump["model"].size() == 27);
  CHECK(dump["model"]["init"].size() == 5);
  CHECK(dump["optimizer"].size() == 15);
  CHECK(dump["scheduler"].size() == 20);
  CHECK(dump["train"]["checkpoint"].size() == 5);
  CHECK(dump["train"]["early_stopping"].size() == 5);
  CHECK_FALSE(dump["source_path"].IsDefined());
}

TEST_CASE("the dump prints doubles in their shortest exact form") {
  ExperimentConfig c;
  c.model.type = "mlp";
  c.optimizer.lr = 0.001;
  c.data.val_split = 0.1 + 0.2;
  const std::string text = to_yaml(c);
  CHECK_THAT(text, Catch::Contains("  lr: 0.001\n"));
  CHECK_THAT(text, Catch::Contains("  val_split: 0.30000000000000004\n"));
  CHECK_THAT(text, Catch::Contains("  eps: 1e-08\n"));
  CHECK_THAT(text, Catch::Contains("  betas: [0.9, 0.999]\n"));
}

TEST_CASE("the dump quotes strings YAML would read as something else") {
  ExperimentConfig c;
  c.name = "123";
  c.model.type = "mlp";
  c.data.test = "";
  c.data.train = "true";
  c.train.checkpoint.monitor = "a: b";
  const std::string text = to_yaml(c);
  CHECK_THAT(text, Catch::Contains("name: \"123\"\n"));
  CHECK_THAT(text, Catch::Contains("  train: \"true\"\n"));
  CHECK_THAT(text, Catch::Contains("  test: \"\"\n"));
  CHECK_THAT(text, Catch::Contains("  monitor: \"a: b\"\n"));
  CHECK(reload(c) == c);
}

TEST_CASE("differing_keys names each key whose value differs") {
  ExperimentConfig a;
  ExperimentConfig b;
  b.optimizer.lr = 0.5;
  b.data.normalize.std = {1.0};
  b.source_path = "not a key";
  CHECK(differing_keys(a, b) == std::vector<std::string>{"data.normalize.std", "optimizer.lr"});
}
