// dltrain search end to end on a small Fashion-MNIST subset: trials as run directories, two
// workers, resume, leaderboard, best.yaml, plots, architecture constraints and spec errors.
#include <catch2/catch.hpp>

#include <filesystem>
#include <nlohmann/json.hpp>
#include <set>

#include "cli_runner.h"
#include "temp_dir.h"

namespace fs = std::filesystem;

namespace {

const std::string kSearchBase =
    "name: tiny\n"
    "threads: 1\n"
    "data:\n"
    "  subset: {train: 600, test: 200}\n"
    "  val_split: 0.25\n"
    "  batch_size: 64\n"
    "model:\n"
    "  type: mlp\n"
    "  hidden: [16]\n"
    "train:\n"
    "  epochs: 2\n";

}  // namespace

TEST_CASE("search trains trials as run directories with two workers, resumes, and reports the study") {
  TempDir tmp;
  write_file(tmp.file("base.yaml"), kSearchBase);
  write_file(tmp.file("spec.yaml"),
             "name: lr\n"
             "base: " + tmp.file("base.yaml") + "\n"
             "overrides: {train.epochs: 3}\n"
             "objective: {metric: val/accuracy, direction: maximize}\n"
             "sampler: random\n"
             "pruner: asha\n"
             "budget: {trials: 4}\n"
             "space:\n"
             "  optimizer.lr: {loguniform: [1.0e-4, 1.0e-1]}\n"
             "  optimizer.type: {choice: [adam, sgd]}\n"
             "  optimizer.momentum: {uniform: [0.8, 0.99], when: {optimizer.type: sgd}}\n"
             "output: " + tmp.file("out") + "\n");
  const auto first = run_dltrain("search " + tmp.file("spec.yaml") + " --workers 2", tmp.path);
  INFO(first.err);
  REQUIRE(first.exit_code == 0);
  CHECK_THAT(first.out, Catch::Contains("study lr: maximize val/accuracy over 4 trials"));

  const auto status = run_dltrain("search status " + tmp.file("out/study.db") + " --json", tmp.path);
  REQUIRE(status.exit_code == 0);
  const auto json = nlohmann::json::parse(status.out);
  REQUIRE(json["trials"].size() == 4);
  std::set<int> numbers;
  for (const auto& trial : json["trials"]) {
    numbers.insert(trial["number"].get<int>());
    const auto& params = trial["params"];
    CHECK(params.contains("optimizer.momentum") == (params["optimizer.type"] == "sgd"));
    const std::string state = trial["state"];
    CHECK((state == "complete" || state == "pruned"));
    const auto summary = nlohmann::json::parse(read_file(trial["run_dir"].get<std::string>() + "/summary.json"));
    CHECK(summary["stop_reason"] == (state == "pruned" ? "pruned" : "completed"));
    CHECK(summary["epochs_completed"] == trial["epochs"]);
    if (state == "pruned") CHECK(trial["epochs"].get<int>() < 3);
  }
  CHECK(numbers == std::set<int>{0, 1, 2, 3});
  CHECK(fs::exists(tmp.file("out/objective.png")));
  CHECK(fs::exists(tmp.file("out/params.png")));
  REQUIRE(fs::exists(tmp.file("out/best.yaml")));
  CHECK(run_dltrain("check " + tmp.file("out/best.yaml"), tmp.path).exit_code == 0);

  // Running the spec again resumes the finished study: nothing new is trained.
  const auto again = run_dltrain("search " + tmp.file("spec.yaml") + " --json", tmp.path);
  REQUIRE(again.exit_code == 0);
  CHECK(nlohmann::json::parse(again.out)["trials"].size() == 4);
}

TEST_CASE("architecture search rejects candidates over the parameter limit before training them") {
  TempDir tmp;
  write_file(tmp.file("base.yaml"), kSearchBase);
  write_file(tmp.file("arch.yaml"),
             "base: " + tmp.file("base.yaml") + "\n"
             "overrides: {train.epochs: 1}\n"
             "objective: {metric: val/loss, direction: minimize}\n"
             "sampler: grid\n"
             "space:\n"
             "  model.hidden: {choice: [[8], [256]]}\n"
             "  model.activation: {choice: [relu, gelu]}\n"
             "constraints: {max_params: 20000}\n"
             "output: " + tmp.file("out") + "\n");
  const auto result = run_dltrain("search " + tmp.file("arch.yaml") + " --json", tmp.path);
  INFO(result.err);
  REQUIRE(result.exit_code == 0);
  const auto json = nlohmann::json::parse(result.out);
  REQUIRE(json["trials"].size() == 4);
  for (const auto& trial : json["trials"]) {
    const bool wide = trial["params"]["model.hidden"] == nlohmann::json::array({256});
    CHECK(trial["state"] == (wide ? "failed" : "complete"));
    CHECK(fs::exists(trial["run_dir"].get<std::string>()) == !wide);
    if (wide) CHECK_THAT(trial["error"].get<std::string>(), Catch::Contains("> constraints.max_params 20000"));
  }
}

TEST_CASE("search spec errors are one line and exit 2") {
  TempDir tmp;
  write_file(tmp.file("base.yaml"), kSearchBase);
  const std::string head = "base: " + tmp.file("base.yaml") + "\nobjective: {metric: val/accuracy}\nbudget: {trials: 2}\n";
  write_file(tmp.file("bad_sampler.yaml"), head + "sampler: tpee\nspace: {optimizer.lr: {uniform: [0.1, 0.2]}}\n");
  auto r = run_dltrain("search " + tmp.file("bad_sampler.yaml"), tmp.path);
  CHECK(r.exit_code == 2);
  CHECK(one_line(r.err));
  CHECK_THAT(r.err, Catch::Contains("bad_sampler.yaml:4:10: sampler: expected grid, random or tpe"));

  write_file(tmp.file("bad_key.yaml"), head + "space: {optimizer.lrr: {uniform: [0.1, 0.2]}}\n");
  r = run_dltrain("search " + tmp.file("bad_key.yaml"), tmp.path);
  CHECK(r.exit_code == 2);
  CHECK(one_line(r.err));
  CHECK_THAT(r.err, Catch::Contains("space.optimizer.lrr=0.1: the base config rejects it"));

  r = run_dltrain("search status " + tmp.file("missing.db"), tmp.path);
  CHECK(r.exit_code == 3);
  CHECK(one_line(r.err));
}

TEST_CASE("a search killed or interrupted mid-trial completes its budget when run again") {
  TempDir tmp;
  write_file(tmp.file("base.yaml"), kSearchBase);
  write_file(tmp.file("spec.yaml"),
             "base: " + tmp.file("base.yaml") + "\n"
             "objective: {metric: val/loss, direction: minimize}\n"
             "sampler: random\n"
             "budget: {trials: 3}\n"
             "space: {optimizer.lr: {loguniform: [1.0e-3, 1.0e-2]}}\n"
             "output: " + tmp.file("out") + "\n");
  const auto trials = [&] {
    return nlohmann::json::parse(run_dltrain("search status " + tmp.file("out/study.db") + " --json", tmp.path).out)["trials"];
  };
  const auto trial = [&](int number) {
    for (const auto& t : trials()) {
      if (t["number"] == number) return t;
    }
    return nlohmann::json();
  };
  // Killed (SIGKILL) in trial 1's first epoch: the trial stays "running" with a dead worker.
  const auto killed = run_dltrain("search " + tmp.file("spec.yaml"), tmp.path, "DLTRAIN_FAULT_AT=epoch_end:3");
  CHECK(killed.exit_code != 0);
  CHECK(trial(1)["state"] == "running");
  // Interrupted (SIGINT) in the retried trial 1: it is saved as failed and retriable, exit 130.
  const auto interrupted = run_dltrain("search " + tmp.file("spec.yaml"), tmp.path, "DLTRAIN_FAULT_AT=validation:1:SIGINT");
  CHECK(interrupted.exit_code == 130);
  CHECK(trial(1)["state"] == "failed");
  const auto resumed = run_dltrain("search " + tmp.file("spec.yaml") + " --json", tmp.path);
  INFO(resumed.err);
  REQUIRE(resumed.exit_code == 0);
  REQUIRE(trials().size() == 3);
  for (const auto& t : trials()) CHECK(t["state"] == "complete");
  CHECK(trial(0)["attempts"] == 1);
  CHECK(trial(1)["attempts"] == 3);
  CHECK(trial(2)["attempts"] == 1);
}
