// Every class of invalid config is a ConfigError (exit code 2) whose one-line message gives
// file:line:col of the offending node, the dotted key, what was expected and what was found.
#include "dltrain/config/load_config.h"

#include "config_test_support.h"

#include <catch2/catch.hpp>

using namespace dltrain::config;
using dltrain::config::test::config_error;
using dltrain::config::test::TempFile;

namespace {

// The error for `text` loaded as x.yaml.
std::string error_for(const std::string& text) {
  return config_error([&] { load_config_from_string(text, "configs/x.yaml"); });
}

}  // namespace

TEST_CASE("a word where a number belongs gives file:line:col, key, expectation and the word") {
  CHECK(error_for("model:\n  type: mlp\noptimizer:\n  type: adam\n  lr: fast\n") ==
        "configs/x.yaml:5:7: optimizer.lr: expected a positive number, got \"fast\"");
}

TEST_CASE("errors in a real file name the file's path") {
  TempFile file("x.yaml", "model: {type: mlp}\ntrain:\n  epochs: ten\n");
  CHECK(config_error([&] { load_config(file.path()); }) ==
        file.path() + ":3:11: train.epochs: expected an integer in [1, 1000000], got \"ten\"");
}

TEST_CASE("a number out of range names the range") {
  CHECK(error_for("model: {type: mlp}\noptimizer: {lr: -0.1}\n") ==
        "configs/x.yaml:2:17: optimizer.lr: expected a positive number, got -0.1");
  CHECK(error_for("model: {type: mlp, dropout: 1.0}\n") ==
        "configs/x.yaml:1:29: model.dropout: expected a number in [0, 1), got 1.0");
  CHECK(error_for("model: {type: mlp}\ndata: {val_split: -0.5}\n") ==
        "configs/x.yaml:2:19: data.val_split: expected a number in [0, 1), got -0.5");
  CHECK(error_for("model: {type: mlp}\ndata: {batch_size: 0}\n") ==
        "configs/x.yaml:2:20: data.batch_size: expected an integer in [1, 1048576], got 0");
  CHECK(error_for("model: {type: mlp}\ndata: {workers: -1}\n") ==
        "configs/x.yaml:2:17: data.workers: expected an integer in [0, 256], got -1");
  CHECK(error_for("model: {type: mlp}\noptimizer: {weight_decay: -1}\n") ==
        "configs/x.yaml:2:27: optimizer.weight_decay: expected a number >= 0, got -1");
}

TEST_CASE("integers reject fractions and words") {
  CHECK(error_for("model: {type: mlp}\nseed: 1.5\n") == "configs/x.yaml:2:7: seed: expected an integer, got 1.5");
  CHECK(error_for("model: {type: mlp}\nseed: abc\n") == "configs/x.yaml:2:7: seed: expected an integer, got \"abc\"");
  CHECK(error_for("model: {type: mlp}\nseed: 99999999999999999999\n") ==
        "configs/x.yaml:2:7: seed: expected an integer, got 99999999999999999999");
}

TEST_CASE("numbers reject hex, infinity and quoted strings") {
  CHECK(error_for("model: {type: mlp}\noptimizer: {lr: 0x10}\n") ==
        "configs/x.yaml:2:17: optimizer.lr: expected a positive number, got \"0x10\"");
  CHECK(error_for("model: {type: mlp}\noptimizer: {lr: .inf}\n") ==
        "configs/x.yaml:2:17: optimizer.lr: expected a positive number, got \".inf\"");
  CHECK(error_for("model: {type: mlp}\noptimizer: {lr: \"0.1\"}\n") ==
        "configs/x.yaml:2:17: optimizer.lr: expected a positive number, got \"0.1\"");
}

TEST_CASE("booleans accept true and false only") {
  CHECK(error_for("model: {type: mlp}\ndata: {shuffle: yes}\n") ==
        "configs/x.yaml:2:17: data.shuffle: expected true or false, got \"yes\"");
  CHECK(error_for("model: {type: mlp}\ndata: {shuffle: 1}\n") ==
        "configs/x.yaml:2:17: data.shuffle: expected true or false, got 1");
}

TEST_CASE("a string key rejects a list, a map and null") {
  CHECK(error_for("model: {type: [mlp]}\n") ==
        "configs/x.yaml:1:15: model.type: expected one of mlp, cnn, resnet, resnet18, resnet34, resnet50, mobilenet_v2, efficientnet, efficientnet_b0, rnn, sequential, torchscript, got a list");
  CHECK(error_for("model: {type: mlp}\noutput: {a: 1}\n") == "configs/x.yaml:2:9: output: expected a non-empty string, got a map");
  CHECK(error_for("model: {type: mlp}\noutput:\n") == "configs/x.yaml:2:1: output: expected a non-empty string, got null");
}

TEST_CASE("a value outside a choice lists the choices and suggests the closest") {
  CHECK(error_for("model:\n  type: cnnn\n") ==
        "configs/x.yaml:2:9: model.type: expected one of mlp, cnn, resnet, resnet18, resnet34, resnet50, mobilenet_v2, efficientnet, efficientnet_b0, rnn, sequential, torchscript, got \"cnnn\"; did you mean \"cnn\"?");
  CHECK(error_for("model: {type: mlp, activation: swish}\n") ==
        "configs/x.yaml:1:32: model.activation: expected one of auto, relu, relu6, leaky_relu, elu, gelu, silu, tanh, sigmoid, "
        "got \"swish\"");
  CHECK(error_for("model: {type: mlp}\ntrain:\n  checkpoint:\n    mode: maximum\n") ==
        "configs/x.yaml:4:11: train.checkpoint.mode: expected one of min, max, got \"maximum\"; did you mean \"max\"?");
  CHECK(error_for("model: {type: mlp, init: {weight: he}}\n") ==
        "configs/x.yaml:1:35: model.init.weight: expected one of default, kaiming_normal, kaiming_uniform, "
        "xavier_normal, xavier_uniform, orthogonal, normal, got \"he\"");
}

TEST_CASE("device is auto, cpu, cuda or cuda:N") {
  for (const char* ok : {"auto", "cpu", "cuda", "cuda:0", "cuda:12"})
    CHECK(load_config_from_string(std::string("model: {type: mlp}\ndevice: ") + ok + "\n", "x.yaml").device == ok);
  CHECK(error_for("model: {type: mlp}\ndevice: gpu\n") ==
        "configs/x.yaml:2:9: device: expected auto, cpu, cuda or cuda:N, got \"gpu\"");
  CHECK(error_for("model: {type: mlp}\ndevice: cuda:x\n") ==
        "configs/x.yaml:2:9: device: expected auto, cpu, cuda or cuda:N, got \"cuda:x\"");
  CHECK(error_for("model: {type: mlp}\ndevice: \"cuda:\"\n") ==
        "configs/x.yaml:2:9: device: expected auto, cpu, cuda or cuda:N, got \"cuda:\"");
}

TEST_CASE("name must be a safe directory name") {
  CHECK(load_config_from_string("name: a-b_c.1\nmodel: {type: mlp}\n", "x.yaml").name == "a-b_c.1");
  for (const char* bad : {"../up", "a/b", "\"with space\"", "\"..\"", "\"\""})
    CHECK_THAT(error_for(std::string("name: ") + bad + "\nmodel: {type: mlp}\n"),
               Catch::StartsWith("configs/x.yaml:1:7: name: expected a directory name of letters, digits"));
}

TEST_CASE("kernel_size must be odd") {
  CHECK(error_for("model: {type: cnn, kernel_size: 4}\n") ==
        "configs/x.yaml:1:33: model.kernel_size: expected an odd positive integer, got 4");
}

TEST_CASE("an unknown key suggests the closest valid key at its level") {
  CHECK(error_for("model: {type: mlp}\noptimizer:\n  lr_rate: 0.1\n") ==
        "configs/x.yaml:3:3: optimizer.lr_rate: unknown key; did you mean \"lr\"?");
  CHECK(error_for("model: {type: mlp}\ndata:\n  batchsize: 32\n") ==
        "configs/x.yaml:3:3: data.batchsize: unknown key; did you mean \"batch_size\"?");
  CHECK(error_for("modle: {type: mlp}\n") == "configs/x.yaml:1:1: modle: unknown key; did you mean \"model\"?");
  CHECK(error_for("model: {type: mlp}\ndata:\n  normalize:\n    means: [0.5]\n") ==
        "configs/x.yaml:4:5: data.normalize.means: unknown key; did you mean \"mean\"?");
}

TEST_CASE("an unknown key with no close valid key gets no suggestion") {
  CHECK(error_for("model: {type: mlp}\noptimizer:\n  learning_schedule: cosine\n") ==
        "configs/x.yaml:3:3: optimizer.learning_schedule: unknown key");
}

TEST_CASE("an unknown key is reported before the missing key it was meant to be") {
  CHECK(error_for("model: {typ: mlp}\n") == "configs/x.yaml:1:9: model.typ: unknown key; did you mean \"type\"?");
}

TEST_CASE("a duplicate key is rejected with both positions") {
  CHECK(error_for("model: {type: mlp}\nseed: 1\nseed: 2\n") ==
        "configs/x.yaml:3:1: seed: duplicate key (first given at configs/x.yaml:2:7)");
}

TEST_CASE("a missing required key says so") {
  CHECK(error_for("model:\n  hidden: [10]\n") ==
        "configs/x.yaml:2:3: model.type: missing required key; expected one of mlp, cnn, resnet, resnet18, resnet34, resnet50, mobilenet_v2, efficientnet, efficientnet_b0, rnn, sequential, torchscript");
  CHECK(error_for("seed: 3\n") == "configs/x.yaml:1:1: model.type: missing required key; expected one of mlp, cnn, resnet, resnet18, resnet34, resnet50, mobilenet_v2, efficientnet, efficientnet_b0, rnn, sequential, torchscript");
}

TEST_CASE("a section given as a scalar or a list is rejected") {
  CHECK(error_for("model: {type: mlp}\noptimizer: adam\n") ==
        "configs/x.yaml:2:12: optimizer: expected a section of keys, got \"adam\"");
  CHECK(error_for("model: {type: mlp}\ndata:\n  normalize: [0.5]\n") ==
        "configs/x.yaml:3:14: data.normalize: expected a section of keys, got a list");
}

TEST_CASE("an empty section keeps its defaults") {
  const ExperimentConfig c = load_config_from_string("model: {type: mlp}\noptimizer:\n", "x.yaml");
  CHECK(c.optimizer.lr == 1.0e-3);
}

TEST_CASE("a list key rejects a scalar and names a bad element by index") {
  CHECK(error_for("model: {type: mlp}\ndata: {normalize: {mean: 0.5, std: [1]}}\n") ==
        "configs/x.yaml:2:26: data.normalize.mean: expected a list, got 0.5");
  CHECK(error_for("model: {type: mlp}\ndata:\n  normalize:\n    mean: [0.5, x, 0.5]\n    std: [1, 1, 1]\n") ==
        "configs/x.yaml:4:17: data.normalize.mean[1]: expected a number, got \"x\"");
  CHECK(error_for("model: {type: mlp, hidden: [64, 0]}\n") ==
        "configs/x.yaml:1:33: model.hidden[1]: expected an integer in [1, 65536], got 0");
  CHECK(error_for("model:\n  type: mlp\n  hidden:\n    - 64\n    - 1.5\n") ==
        "configs/x.yaml:5:7: model.hidden[1]: expected an integer in [1, 65536], got 1.5");
}

TEST_CASE("betas are exactly two values, each at least 0 and below 1") {
  CHECK(error_for("model: {type: mlp}\noptimizer: {betas: [0.9]}\n") ==
        "configs/x.yaml:2:20: optimizer.betas: expected a list of 2 values, got 1 value");
  CHECK(error_for("model: {type: mlp}\noptimizer: {betas: [0.9, 0.99, 0.999]}\n") ==
        "configs/x.yaml:2:20: optimizer.betas: expected a list of 2 values, got 3 values");
  CHECK(error_for("model: {type: mlp}\noptimizer: {betas: [0.9, 1.0]}\n") ==
        "configs/x.yaml:2:26: optimizer.betas[1]: expected a number in [0, 1), got 1.0");
}

TEST_CASE("normalize std has as many values as mean, each positive") {
  CHECK(error_for("model: {type: mlp}\ndata:\n  normalize:\n    mean: [0.5, 0.5]\n    std: [0.2]\n") ==
        "configs/x.yaml:5:10: data.normalize.std: expected as many values as data.normalize.mean (2), got 1");
  CHECK(error_for("model: {type: mlp}\ndata:\n  normalize:\n    mean: [0.5, 0.5]\n") ==
        "configs/x.yaml:4:5: data.normalize.std: expected as many values as data.normalize.mean (2), got 1");
  CHECK(error_for("model: {type: mlp}\ndata: {normalize: {mean: [0.5], std: [0]}}\n") ==
        "configs/x.yaml:2:39: data.normalize.std[0]: expected a positive number, got 0");
  const ExperimentConfig empty = load_config_from_string("model: {type: mlp}\ndata: {normalize: {mean: [], std: []}}\n", "x.yaml");
  CHECK(empty.data.normalize.mean.empty());
  CHECK(empty.data.normalize.std.empty());
}

TEST_CASE("nesterov needs momentum above zero") {
  CHECK(error_for("model: {type: mlp}\noptimizer:\n  type: sgd\n  momentum: 0\n  nesterov: true\n") ==
        "configs/x.yaml:5:13: optimizer.nesterov: true needs optimizer.momentum > 0 "
        "and optimizer.dampening 0 (as torch.optim.SGD)");
  const ExperimentConfig ok =
      load_config_from_string("model: {type: mlp}\noptimizer: {type: sgd, momentum: 0.9, nesterov: true}\n", "x.yaml");
  CHECK(ok.optimizer.nesterov);
}

TEST_CASE("bad class weights name the key: negative, NaN, a type without values, values without the type") {
  CHECK(error_for("model: {type: mlp}\nloss:\n  class_weights: {type: given, values: [1.0, -2.0]}\n") ==
        "configs/x.yaml:3:46: loss.class_weights.values[1]: expected a number >= 0, got -2.0");
  CHECK(error_for("model: {type: mlp}\nloss:\n  class_weights: {type: given, values: [.nan, 1.0]}\n") ==
        "configs/x.yaml:3:41: loss.class_weights.values[0]: expected a number >= 0, got \".nan\"");
  CHECK(error_for("model: {type: mlp}\nloss:\n  class_weights: {type: given}\n") ==
        "configs/x.yaml:3:18: loss.class_weights.values: expected one weight per class with loss.class_weights.type: given");
  CHECK(error_for("model: {type: mlp}\nloss:\n  class_weights: {type: balanced, values: [1.0]}\n") ==
        "configs/x.yaml:3:43: loss.class_weights.values: is only used with loss.class_weights.type: given");
  CHECK(error_for("model: {type: mlp}\nloss: {class_weights: {type: inverse}}\n") ==
        "configs/x.yaml:2:30: loss.class_weights.type: expected one of none, balanced, effective_number, given, got \"inverse\"");
}

TEST_CASE("imbalance and sampler keys are range-checked and only accepted where they apply") {
  CHECK(error_for("model: {type: mlp}\ndata: {subset: {imbalance_ratio: 0.5}}\n") ==
        "configs/x.yaml:2:34: data.subset.imbalance_ratio: expected a number >= 1, got 0.5");
  CHECK(error_for("model: {type: mlp}\ndata: {subset: {class_fractions: [0.5, 0]}}\n") ==
        "configs/x.yaml:2:40: data.subset.class_fractions[1]: expected a number in (0, 1], got 0");
  CHECK(error_for("model: {type: mlp}\ndata: {sampler: {type: all, cap: 5}}\n") ==
        "configs/x.yaml:2:34: data.sampler.cap: is only used with data.sampler.type: undersample");
  CHECK(error_for("model: {type: mlp}\nloss: {type: focal, gamma: -1}\n") ==
        "configs/x.yaml:2:28: loss.gamma: expected a number >= 0, got -1");
}

TEST_CASE("transfer-learning keys are checked") {
  using dltrain::config::test::config_error;
  CHECK_THAT(config_error([] { dltrain::config::load_config_from_string("model: {type: cnn, freeze: conv1}\n", "t.yaml"); }),
             Catch::Contains("model.freeze") && Catch::Contains("expected a list"));
  CHECK_THAT(config_error([] { dltrain::config::load_config_from_string("model: {type: cnn, replace_head: true}\n", "t.yaml"); }),
             Catch::Contains("model.replace_head") && Catch::Contains("model.pretrained"));
  CHECK_THAT(config_error([] { dltrain::config::load_config_from_string("model: {type: torchscript}\n", "t.yaml"); }),
             Catch::Contains("model.pretrained"));
  CHECK_THAT(config_error([] {
               dltrain::config::load_config_from_string("model: {type: cnn}\ndata: {classes: [5, 6, 5]}\n", "t.yaml");
             }),
             Catch::Contains("data.classes") && Catch::Contains("once"));
  const auto c = dltrain::config::load_config_from_string(
      "model: {type: cnn, pretrained: runs/base, replace_head: true, freeze: [conv*, norm1_*]}\n"
      "train: {unfreeze_at_epoch: 4}\n",
      "t.yaml");
  CHECK(c.model.freeze == std::vector<std::string>{"conv*", "norm1_*"});
  CHECK(c.train.unfreeze_at_epoch == 4);
}

TEST_CASE("the distributed section names its keys and what they take") {
  CHECK(error_for("model: {type: mlp}\ndistributed: {backend: mpi}\n") ==
        "configs/x.yaml:2:24: distributed.backend: expected one of auto, gloo, nccl, got \"mpi\"");
  CHECK(error_for("model: {type: mlp}\ndistributed: {timeout_s: 0}\n") ==
        "configs/x.yaml:2:26: distributed.timeout_s: expected a positive number, got 0");
  const auto config = load_config_from_string(
      "model: {type: mlp}\ndistributed: {backend: gloo, bucket_mb: 4, sync_batchnorm: true}\n", "configs/x.yaml");
  CHECK(config.distributed.backend == "gloo");
  CHECK(config.distributed.bucket_mb == 4.0);
  CHECK(config.distributed.sync_batchnorm);
}
