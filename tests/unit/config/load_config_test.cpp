// Loading configs from files and text: defaults, a full config, the default name, and the
// errors that come before any key is read (missing file, YAML syntax, empty or non-map documents).
#include "dltrain/config/config_compare.h"
#include "dltrain/config/load_config.h"

#include "config_test_support.h"

#include <catch2/catch.hpp>

using namespace dltrain::config;
using dltrain::config::test::config_error;
using dltrain::config::test::TempFile;

TEST_CASE("a config naming only model.type gets every other key from its default") {
  const ExperimentConfig config = load_config_from_string("model:\n  type: mlp\n", "configs/minimal.yaml");
  ExperimentConfig expected;
  expected.name = "minimal";
  expected.model.type = "mlp";
  CHECK(differing_keys(config, expected).empty());
  CHECK(config.seed == 0);
  CHECK(config.device == "auto");
  CHECK(config.data.batch_size == 128);
  CHECK(config.data.normalize.mean == std::vector<double>{0.2860});
  CHECK(config.model.hidden == std::vector<int64_t>{256, 128});
  CHECK(config.optimizer.lr == 1.0e-3);
  CHECK(config.optimizer.betas == std::vector<double>{0.9, 0.999});
  CHECK(config.train.checkpoint.monitor == "val/accuracy");
}

TEST_CASE("a full config sets every key it names") {
  const std::string text = R"(# every key, none at its default
name: fmnist-cnn.v2
seed: 42
device: cuda:1
output: /tmp/runs
threads: 8
data:
  format: idx
  train: /data/train
  test: ""
  val_split: 0.2
  batch_size: 64
  eval_batch_size: 1024
  workers: 0
  prefetch: 8
  shuffle: false
  drop_last: true
  normalize: {mean: [0.5, 0.4, 0.3], std: [0.25, 0.2, 0.15]}
  subset:
    train: 1000
    test: 200
model:
  type: cnn
  hidden: []
  channels: [16, 32, 64]
  kernel_size: 5
  convs_per_stage: 2
  norm: none
  activation: gelu
  dropout: 0.25
  init: {weight: kaiming_normal, bias: zeros}
optimizer:
  type: sgd
  lr: 0.1
  momentum: 0.95
  nesterov: true
  weight_decay: 5.0e-4
  betas: [0.8, 0.99]
  eps: 1e-6
loss:
  type: cross_entropy
  label_smoothing: 0.1
train:
  epochs: 3
  log_every: 10
  checkpoint: {save_best: false, monitor: val/loss, mode: min}
)";
  const ExperimentConfig c = load_config_from_string(text, "full.yaml");
  CHECK(c.name == "fmnist-cnn.v2");
  CHECK(c.seed == 42);
  CHECK(c.device == "cuda:1");
  CHECK(c.output == "/tmp/runs");
  CHECK(c.threads == 8);
  CHECK(c.data.train == "/data/train");
  CHECK(c.data.test.empty());
  CHECK(c.data.val_split == 0.2);
  CHECK(c.data.batch_size == 64);
  CHECK(c.data.eval_batch_size == 1024);
  CHECK(c.data.workers == 0);
  CHECK(c.data.prefetch == 8);
  CHECK_FALSE(c.data.shuffle);
  CHECK(c.data.drop_last);
  CHECK(c.data.normalize.mean == std::vector<double>{0.5, 0.4, 0.3});
  CHECK(c.data.normalize.std == std::vector<double>{0.25, 0.2, 0.15});
  CHECK(c.data.subset.train == 1000);
  CHECK(c.data.subset.test == 200);
  CHECK(c.model.type == "cnn");
  CHECK(c.model.hidden.empty());
  CHECK(c.model.channels == std::vector<int64_t>{16, 32, 64});
  CHECK(c.model.kernel_size == 5);
  CHECK(c.model.convs_per_stage == 2);
  CHECK(c.model.norm == "none");
  CHECK(c.model.activation == "gelu");
  CHECK(c.model.dropout == 0.25);
  CHECK(c.model.init.weight == "kaiming_normal");
  CHECK(c.model.init.bias == "zeros");
  CHECK(c.optimizer.type == "sgd");
  CHECK(c.optimizer.lr == 0.1);
  CHECK(c.optimizer.momentum == 0.95);
  CHECK(c.optimizer.nesterov);
  CHECK(c.optimizer.weight_decay == 5.0e-4);
  CHECK(c.optimizer.betas == std::vector<double>{0.8, 0.99});
  CHECK(c.optimizer.eps == 1e-6);
  CHECK(c.loss.label_smoothing == 0.1);
  CHECK(c.train.epochs == 3);
  CHECK(c.train.log_every == 10);
  CHECK_FALSE(c.train.checkpoint.save_best);
  CHECK(c.train.checkpoint.monitor == "val/loss");
  CHECK(c.train.checkpoint.mode == "min");
}

TEST_CASE("load_config reads a file and records where it came from") {
  TempFile file("lenet-small.yaml", "model: {type: cnn}\noptimizer: {lr: 0.01}\n");
  const ExperimentConfig config = load_config(file.path());
  CHECK(config.source_path == file.path());
  CHECK(config.model.type == "cnn");
  CHECK(config.optimizer.lr == 0.01);
}

TEST_CASE("name defaults to the config file's stem") {
  TempFile file("fmnist-mlp.yaml", "model: {type: mlp}\n");
  CHECK(load_config(file.path()).name == "fmnist-mlp");
  CHECK(load_config_from_string("model: {type: mlp}\n", "a/b/c.d.yaml").name == "c.d");
}

TEST_CASE("a name given in the file wins over the file's stem") {
  CHECK(load_config_from_string("name: mine\nmodel: {type: mlp}\n", "other.yaml").name == "mine");
}

TEST_CASE("a file stem that is not a safe directory name must be replaced by an explicit name") {
  CHECK(config_error([] { load_config_from_string("model: {type: mlp}\n", "my config.yaml"); }) ==
        "my config.yaml:1:1: name: expected a directory name of letters, digits, '-', '_' and '.', "
        "got \"my config\" (the default)");
}

TEST_CASE("a missing config file is a ConfigError naming the file and the reason") {
  CHECK(config_error([] { load_config("/nonexistent/dir/x.yaml"); }) ==
        "cannot read config file '/nonexistent/dir/x.yaml': No such file or directory");
}

TEST_CASE("a directory given as the config file is a ConfigError") {
  const std::string dir = std::filesystem::temp_directory_path().string();
  CHECK(config_error([&] { load_config(dir); }) == "cannot read config file '" + dir + "': Is a directory");
}

TEST_CASE("a YAML syntax error gives file:line:col") {
  TempFile file("broken.yaml", "model:\n  type: mlp\noptimizer: {lr: 0.1\n");
  const std::string message = config_error([&] { load_config(file.path()); });
  CHECK_THAT(message, Catch::StartsWith(file.path() + ":4:1: invalid YAML: "));
}

TEST_CASE("a YAML syntax error inside a block gives its line and column") {
  CHECK(config_error([] { load_config_from_string("model:\n  type: mlp\n   bad: [1\n", "x.yaml"); }) ==
        "x.yaml:3:7: invalid YAML: illegal map value");
}

TEST_CASE("an empty config file is rejected with a clear message") {
  CHECK(config_error([] { load_config_from_string("", "empty.yaml"); }) ==
        "empty.yaml: the config is empty; expected a map of settings (at least model.type)");
  CHECK(config_error([] { load_config_from_string("# only a comment\n", "empty.yaml"); }) ==
        "empty.yaml: the config is empty; expected a map of settings (at least model.type)");
}

TEST_CASE("a top-level list or scalar is rejected with a clear message") {
  CHECK(config_error([] { load_config_from_string("- model\n- type\n", "list.yaml"); }) ==
        "list.yaml:1:1: expected a map of settings at the top level, got a list");
  CHECK(config_error([] { load_config_from_string("just words\n", "word.yaml"); }) ==
        "word.yaml:1:1: expected a map of settings at the top level, got \"just words\"");
}

TEST_CASE("a file holding several YAML documents is rejected") {
  CHECK(config_error([] { load_config_from_string("model: {type: mlp}\n---\nseed: 1\n", "two.yaml"); }) ==
        "two.yaml:3:1: expected one YAML document, found 2");
}
