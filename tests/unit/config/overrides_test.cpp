// --set key.path=value overrides: applied in order after the file and before validation, read as
// YAML values, able to address list elements; errors they cause name the override.
#include "dltrain/config/load_config.h"

#include "config_test_support.h"

#include <catch2/catch.hpp>

using namespace dltrain::config;
using dltrain::config::test::config_error;
using dltrain::config::test::TempFile;

namespace {

const std::string base = "model:\n  type: mlp\noptimizer:\n  lr: 0.1\n";

ExperimentConfig with(const std::vector<std::string>& overrides, const std::string& text = base) {
  return load_config_from_string(text, "x.yaml", overrides);
}

std::string error_with(const std::vector<std::string>& overrides, const std::string& text = base) {
  return config_error([&] { with(overrides, text); });
}

}  // namespace

TEST_CASE("an override sets a scalar read as YAML") {
  const ExperimentConfig c = with({"optimizer.lr=0.01", "model.type=cnn", "data.shuffle=false", "seed=7"});
  CHECK(c.optimizer.lr == 0.01);
  CHECK(c.model.type == "cnn");
  CHECK_FALSE(c.data.shuffle);
  CHECK(c.seed == 7);
}

TEST_CASE("load_config applies overrides after the file") {
  TempFile file("run.yaml", base);
  CHECK(load_config(file.path(), {"optimizer.lr=0.5"}).optimizer.lr == 0.5);
}

TEST_CASE("an override replaces a whole list with a flow list") {
  const ExperimentConfig c = with({"data.normalize.mean=[0.5, 0.25]", "data.normalize.std=[0.1, 0.2]"});
  CHECK(c.data.normalize.mean == std::vector<double>{0.5, 0.25});
  CHECK(c.data.normalize.std == std::vector<double>{0.1, 0.2});
}

TEST_CASE("an override sets one list element, also of a list the file leaves at its default") {
  CHECK(with({"data.normalize.mean[0]=0.5"}).data.normalize.mean == std::vector<double>{0.5});
  CHECK(with({"optimizer.betas[1]=0.98"}).optimizer.betas == std::vector<double>{0.9, 0.98});
  CHECK(with({"model.hidden[2]=3"}, "model:\n  type: mlp\n  hidden: [8, 4, 2]\n").model.hidden ==
        std::vector<int64_t>{8, 4, 3});
}

TEST_CASE("an override creates a section the file leaves out") {
  const ExperimentConfig c = with({"train.checkpoint.mode=min", "train.checkpoint.monitor=val/loss"}, "model: {type: mlp}\n");
  CHECK(c.train.checkpoint.mode == "min");
  CHECK(c.train.checkpoint.monitor == "val/loss");
}

TEST_CASE("an override fills a section the file leaves empty") {
  CHECK(with({"optimizer.lr=0.2"}, "model: {type: mlp}\noptimizer:\n").optimizer.lr == 0.2);
}

TEST_CASE("an override supplies a required key the file lacks") {
  CHECK(with({"model.type=cnn"}, "seed: 1\n").model.type == "cnn");
}

TEST_CASE("overrides apply in the order given") {
  CHECK(with({"optimizer.lr=0.2", "optimizer.lr=0.3"}).optimizer.lr == 0.3);
  CHECK(with({"model.hidden=[1, 2]", "model.hidden[1]=5"}).model.hidden == std::vector<int64_t>{1, 5});
  CHECK(with({"model.hidden[1]=5", "model.hidden=[1, 2]"}).model.hidden == std::vector<int64_t>{1, 2});
}

TEST_CASE("an override may set a whole section") {
  const ExperimentConfig c = with({"optimizer={type: sgd, lr: 0.05}"});
  CHECK(c.optimizer.type == "sgd");
  CHECK(c.optimizer.lr == 0.05);
}

TEST_CASE("an error caused by an override's value names the override") {
  CHECK(error_with({"optimizer.lr=fast"}) == "--set optimizer.lr=fast: optimizer.lr: expected a positive number, got \"fast\"");
  CHECK(error_with({"data.normalize.mean=[0.5, x]", "data.normalize.std=[1, 1]"}) ==
        "--set data.normalize.mean=[0.5, x]: data.normalize.mean[1]: expected a number, got \"x\"");
  CHECK(error_with({"model.hidden[0]=-4"}) == "--set model.hidden[0]=-4: model.hidden[0]: expected an integer in [1, 65536], got -4");
  CHECK(error_with({"optimizer={type: sgd, lr: 0}"}) ==
        "--set optimizer={type: sgd, lr: 0}: optimizer.lr: expected a positive number, got 0");
}

TEST_CASE("the later of two overrides of one key is the one an error names") {
  CHECK(error_with({"optimizer.lr=0.5", "optimizer.lr=-1"}) == "--set optimizer.lr=-1: optimizer.lr: expected a positive number, got -1");
  CHECK(error_with({"model.hidden=[1, 2]", "model.hidden[0]=0"}) ==
        "--set model.hidden[0]=0: model.hidden[0]: expected an integer in [1, 65536], got 0");
  CHECK(error_with({"model.hidden=[1, 0]", "model.hidden[0]=3"}) ==
        "--set model.hidden=[1, 0]: model.hidden[1]: expected an integer in [1, 65536], got 0");
}

TEST_CASE("a file value an override did not touch is still reported at its position") {
  CHECK(error_with({"model.hidden[0]=4"}, "model:\n  type: mlp\n  hidden: [1, 0]\n") ==
        "x.yaml:3:15: model.hidden[1]: expected an integer in [1, 65536], got 0");
}

TEST_CASE("a new key set by an override is rejected as unknown, with a suggestion") {
  CHECK(error_with({"optimizer.learning_rate=0.1"}) == "--set optimizer.learning_rate=0.1: optimizer.learning_rate: unknown key");
  CHECK(error_with({"optimizer.lrr=0.1"}) == "--set optimizer.lrr=0.1: optimizer.lrr: unknown key; did you mean \"lr\"?");
  CHECK(error_with({"optimiser.lr=0.1"}) == "--set optimiser.lr=0.1: optimiser: unknown key; did you mean \"optimizer\"?");
  CHECK(error_with({"train.checkpoint.mod=min"}) ==
        "--set train.checkpoint.mod=min: train.checkpoint.mod: unknown key; did you mean \"mode\"?");
}

TEST_CASE("a list index out of range is an error naming the list's length") {
  CHECK(error_with({"optimizer.betas[2]=0.5"}) ==
        "--set optimizer.betas[2]=0.5: optimizer.betas[2]: index out of range: the list has 2 elements");
  CHECK(error_with({"data.normalize.mean[1]=0.5"}) ==
        "--set data.normalize.mean[1]=0.5: data.normalize.mean[1]: index out of range: the list has 1 element");
}

TEST_CASE("indexing something that is not a list is an error") {
  CHECK(error_with({"optimizer.lr[0]=1"}) == "--set optimizer.lr[0]=1: optimizer.lr: cannot index a single value: it is not a list");
  CHECK(error_with({"optimizer.eps[0]=1"}) ==
        "--set optimizer.eps[0]=1: optimizer.eps: cannot index it: the key is not set and has no list default");
  CHECK(error_with({"optimizer[0]=1"}) == "--set optimizer[0]=1: optimizer: cannot index a section: it is not a list");
}

TEST_CASE("setting a key inside a value that is not a section is an error") {
  CHECK(error_with({"optimizer.lr.value=1"}) ==
        "--set optimizer.lr.value=1: optimizer.lr: cannot set \"value\" inside a single value: it is not a section");
}

TEST_CASE("a malformed override is an error naming it") {
  CHECK(error_with({"optimizer.lr"}) == "--set optimizer.lr: expected key.path=value");
  CHECK(error_with({"=0.1"}) == "--set =0.1: malformed key path \"\": it is empty; expected --set key.path=value");
  CHECK(error_with({"optimizer..lr=1"}) == "--set optimizer..lr=1: malformed key path \"optimizer..lr\": expected a key name at position 11");
  CHECK(error_with({"optimizer.=1"}) == "--set optimizer.=1: malformed key path \"optimizer.\": expected a key name at position 11");
  CHECK(error_with({"model.hidden[x]=1"}) == "--set model.hidden[x]=1: malformed key path \"model.hidden[x]\": list index \"[x]\" is not a number");
  CHECK(error_with({"model.hidden[0=1"}) == "--set model.hidden[0=1: malformed key path \"model.hidden[0\": '[' without ']'");
  CHECK(error_with({"model.hidden]0[=1"}) == "--set model.hidden]0[=1: malformed key path \"model.hidden]0[\": unexpected ']' at position 13");
  CHECK(error_with({"model.hidden[0]x=1"}) == "--set model.hidden[0]x=1: malformed key path \"model.hidden[0]x\": unexpected 'x' at position 16");
  CHECK(error_with({"[0]=1"}) == "--set [0]=1: malformed key path \"[0]\": expected a key name at position 1");
}

TEST_CASE("an override value that is not valid YAML is an error naming it") {
  CHECK_THAT(error_with({"data.normalize.mean=[0.5"}),
             Catch::StartsWith("--set data.normalize.mean=[0.5: the value is not valid YAML: "));
}

TEST_CASE("an empty override value is null, which a number key rejects") {
  CHECK(error_with({"optimizer.lr="}) == "--set optimizer.lr=: optimizer.lr: expected a positive number, got null");
}

TEST_CASE("an override value may contain '='") {
  CHECK(with({"output=runs=a"}).output == "runs=a");
}
