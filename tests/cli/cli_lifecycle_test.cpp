// Run lifecycle through the real binary: SIGKILL at five points (deterministic fault injection,
// DLTRAIN_FAULT_AT) then --resume ends bit-identical to an uninterrupted run; SIGTERM/SIGINT
// stop with a checkpoint and exit 143/130; refused config changes; TensorBoard files decode;
// early stopping restores the best weights; plot and eval --plots write real PNGs.
#include <catch2/catch.hpp>
#include <torch/torch.h>

#include <algorithm>
#include <cmath>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <nlohmann/json.hpp>

#include "checkpoint_tensors.h"
#include "cli_runner.h"
#include "temp_dir.h"

namespace fs = std::filesystem;

namespace {

const std::string kLifecycleConfig =
    "name: life\n"
    "threads: 1\n"
    "deterministic: true\n"
    "data:\n"
    "  subset: {train: 600, test: 200}\n"
    "  val_split: 0.2\n"
    "  batch_size: 32\n"
    "  workers: 2\n"
    "model: {type: cnn, channels: [4], hidden: [16], dropout: 0.25}\n"
    "train:\n"
    "  epochs: 3\n"
    "  log_every: 4\n"
    "  checkpoint: {every: 1, keep_last: 2}\n";

bool killed(const CliResult& r) { return r.exit_code == -1 || r.exit_code == 137; }

// Every model tensor of a checkpoint, in manifest order; throws when the file is unloadable.
std::vector<torch::Tensor> checkpoint_tensors(const std::string& path) {
  std::vector<torch::Tensor> tensors;
  for (auto& [name, tensor] : named_checkpoint_tensors(path)) tensors.push_back(tensor);
  return tensors;
}

void require_all_checkpoints_loadable(const std::string& run_dir) {
  for (const auto& entry : fs::directory_iterator(run_dir + "/checkpoints")) {
    if (entry.path().extension() != ".pt") continue;  // .last.pt.tmp is a temporary, never read
    INFO(entry.path().string());
    REQUIRE_NOTHROW(checkpoint_tensors(entry.path().string()));
  }
}

// metrics.jsonl rows without the wall-clock measurements, which no two runs share.
// metrics.jsonl's epoch rows (gradient-health rows carry a "step") without wall-clock columns.
std::vector<nlohmann::json> epoch_rows(const std::string& run_dir) {
  std::ifstream in(run_dir + "/metrics.jsonl");
  std::vector<nlohmann::json> rows;
  for (std::string line; std::getline(in, line);) {
    auto row = nlohmann::json::parse(line);
    if (row.contains("step")) continue;
    for (const char* timing : {"train/samples_per_second", "train/data_wait_fraction", "train/epoch_seconds"}) {
      row.erase(timing);
    }
    rows.push_back(row);
  }
  return rows;
}

void require_identical_runs(const std::string& a, const std::string& b) {
  CHECK(epoch_rows(a) == epoch_rows(b));
  const auto ta = checkpoint_tensors(a + "/checkpoints/last.pt");
  const auto tb = checkpoint_tensors(b + "/checkpoints/last.pt");
  REQUIRE(ta.size() == tb.size());
  for (size_t i = 0; i < ta.size(); ++i) CHECK(torch::equal(ta[i], tb[i]));
  const auto sa = nlohmann::json::parse(read_file(a + "/summary.json"));
  const auto sb = nlohmann::json::parse(read_file(b + "/summary.json"));
  CHECK(sa["final"]["test/loss"] == sb["final"]["test/loss"]);
  CHECK(sa["final"]["test/accuracy"] == sb["final"]["test/accuracy"]);
}

// An independent TFRecord + Event decoder (bitwise CRC-32C), so the writer is not checked
// against itself: returns (tag, step, value) of each scalar.
uint32_t crc32c_bitwise(const std::string& data) {
  uint32_t crc = 0xFFFFFFFFu;
  for (unsigned char byte : data) {
    crc ^= byte;
    for (int k = 0; k < 8; ++k) crc = (crc >> 1) ^ (0x82F63B78u & (0u - (crc & 1u)));
  }
  return ~crc;
}
uint32_t masked(const std::string& data) {
  const uint32_t crc = crc32c_bitwise(data);
  return ((crc >> 15) | (crc << 17)) + 0xa282ead8u;
}
uint64_t varint(const std::string& s, size_t& pos) {
  uint64_t value = 0;
  for (int shift = 0;; shift += 7) {
    const auto byte = static_cast<unsigned char>(s.at(pos++));
    value |= uint64_t(byte & 0x7f) << shift;
    if (!(byte & 0x80)) return value;
  }
}
struct Scalar {
  std::string tag;
  int64_t step;
  float value;
};
std::vector<Scalar> decode_scalars(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  const std::string data((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  std::vector<Scalar> scalars;
  size_t pos = 0;
  while (pos < data.size()) {
    uint64_t length;
    uint32_t length_crc, data_crc;
    std::memcpy(&length, data.data() + pos, 8);
    std::memcpy(&length_crc, data.data() + pos + 8, 4);
    REQUIRE(length_crc == masked(data.substr(pos, 8)));
    const std::string event = data.substr(pos + 12, length);
    std::memcpy(&data_crc, data.data() + pos + 12 + length, 4);
    REQUIRE(data_crc == masked(event));
    pos += 16 + length;
    Scalar scalar{"", 0, 0.0f};
    for (size_t p = 0; p < event.size();) {
      const uint64_t key = varint(event, p);
      if (key == 0x09) p += 8;                                  // wall_time
      else if (key == 0x10) scalar.step = int64_t(varint(event, p));
      else if (key == 0x1a) p += varint(event, p);              // file_version
      else if (key == 0x2a) {                                   // summary > value
        const uint64_t summary_length = varint(event, p);
        size_t q = p;
        REQUIRE(varint(event, q) == 0x0a);
        varint(event, q);
        REQUIRE(varint(event, q) == 0x0a);
        const uint64_t tag_length = varint(event, q);
        scalar.tag = event.substr(q, tag_length);
        q += tag_length;
        REQUIRE(varint(event, q) == 0x15);
        std::memcpy(&scalar.value, event.data() + q, 4);
        p += summary_length;
      } else {
        FAIL("unexpected field " << key);
      }
    }
    if (!scalar.tag.empty()) scalars.push_back(scalar);
  }
  return scalars;
}

std::string events_file(const std::string& run_dir) {
  for (const auto& entry : fs::directory_iterator(run_dir)) {
    if (entry.path().filename().string().rfind("events.out.tfevents.", 0) == 0) return entry.path().string();
  }
  return "";
}

struct Fixture {
  TempDir tmp;
  std::string config = tmp.path + "/life.yaml";
  Fixture(const std::string& yaml = kLifecycleConfig) { write_file(config, yaml); }
  // A run into its own output directory; returns the run directory.
  std::string run(const std::string& output, const std::string& env = "", int expected = 0) {
    const auto result = run_dltrain("run " + config + " --output " + tmp.path + "/" + output, tmp.path, env);
    INFO(result.err);
    if (expected == 0) REQUIRE(result.exit_code == 0);
    if (expected == 9) REQUIRE(killed(result));
    return tmp.path + "/" + output + "/life";
  }
};

}  // namespace

TEST_CASE("SIGKILL at five points, then --resume: bit-identical weights and metrics, never an unloadable checkpoint") {
  Fixture f;
  const std::string reference = f.run("reference");
  int index = 0;
  for (const char* fault : {"step:20", "checkpoint_write:2", "metrics_written:2", "epoch_end:1", "validation:3"}) {
    INFO("DLTRAIN_FAULT_AT=" << fault);
    const std::string dir = f.run("killed" + std::to_string(++index), std::string("DLTRAIN_FAULT_AT=") + fault, 9);
    require_all_checkpoints_loadable(dir);
    const auto resumed = run_dltrain("run --resume " + dir, f.tmp.path);
    INFO(resumed.err);
    REQUIRE(resumed.exit_code == 0);
    CHECK_FALSE(fs::exists(dir + "/checkpoints/.last.pt.tmp"));
    require_all_checkpoints_loadable(dir);
    require_identical_runs(reference, dir);
  }
}

TEST_CASE("SIGTERM and SIGINT finish the step, write a checkpoint, say how to resume and exit 143/130") {
  Fixture f;
  const std::string reference = f.run("reference");
  for (const auto& [signal, code] : {std::pair<std::string, int>{"SIGTERM", 143}, {"SIGINT", 130}}) {
    {
      INFO(signal);
      const auto result = run_dltrain("run " + f.config + " --output " + f.tmp.path + "/" + signal, f.tmp.path,
                                      "DLTRAIN_FAULT_AT=step:22:" + signal);
      const std::string dir = f.tmp.path + "/" + signal + "/life";
      CHECK(result.exit_code == code);
      CHECK_THAT(result.err, Catch::Contains("interrupted by " + signal + " at epoch 2, step 7") &&
                                 Catch::Contains("resume with: dltrain run --resume " + dir));
      REQUIRE(fs::exists(dir + "/checkpoints/last.pt"));
      require_all_checkpoints_loadable(dir);
      CHECK(epoch_rows(dir).size() == 1);  // epoch 1 only; epoch 2 was cut at step 7
      // The mid-epoch checkpoint resumes exactly.
      const auto resumed = run_dltrain("run --resume " + dir, f.tmp.path);
      INFO(resumed.err);
      REQUIRE(resumed.exit_code == 0);
      require_identical_runs(reference, dir);
    }
  }
}

TEST_CASE("a second SIGINT exits at once without writing a checkpoint") {
  Fixture f;
  const auto result = run_dltrain("run " + f.config + " --output " + f.tmp.path + "/out", f.tmp.path,
                                  "DLTRAIN_FAULT_AT=step:3:SIGINT,step:3:SIGINT");
  CHECK(result.exit_code == 130);
  CHECK_THAT(result.err, Catch::Contains("second interrupt"));
  CHECK_FALSE(fs::exists(f.tmp.path + "/out/life/checkpoints/last.pt"));
}

TEST_CASE("resume refuses config changes that alter the past, naming them, and accepts more epochs") {
  Fixture f;
  const std::string dir = f.run("out");
  auto refused = run_dltrain("run --resume " + dir + " --set optimizer.lr=0.1 --set data.batch_size=16", f.tmp.path);
  CHECK(refused.exit_code == 2);
  CHECK_THAT(refused.err, Catch::Contains("data.batch_size") && Catch::Contains("optimizer.lr") &&
                              Catch::Contains("train.epochs"));
  auto more = run_dltrain("run --resume " + dir + " --set train.epochs=4 --json", f.tmp.path);
  INFO(more.err);
  REQUIRE(more.exit_code == 0);
  const auto summary = nlohmann::json::parse(more.out);
  CHECK(summary["epochs_completed"] == 4);
  CHECK(summary["resumed_after_epoch"] == 3);
  const auto rows = epoch_rows(dir);
  REQUIRE(rows.size() == 4);
  for (size_t i = 0; i < rows.size(); ++i) CHECK(rows[i]["epoch"] == i + 1);

  fs::resize_file(dir + "/checkpoints/last.pt", 1000);  // truncated
  auto truncated = run_dltrain("run --resume " + dir, f.tmp.path);
  CHECK(truncated.exit_code == 3);
  CHECK_THAT(truncated.err, Catch::Contains("error: checkpoint '" + dir + "/checkpoints/last.pt'"));
  CHECK_THAT(truncated.err, !Catch::Contains("terminate") && !Catch::Contains("frame #"));
}

TEST_CASE("the TensorBoard file decodes, CRCs check, and its scalars equal metrics.jsonl") {
  Fixture f;
  const std::string dir = f.run("out");
  const std::string events = events_file(dir);
  REQUIRE_FALSE(events.empty());
  const auto scalars = decode_scalars(events);
  std::ifstream in(dir + "/metrics.jsonl");
  size_t matched = 0;
  for (std::string line; std::getline(in, line);) {
    const auto row = nlohmann::json::parse(line);
    // Epoch rows are tagged by name at step = epoch; gradient-health rows as step/<name> at their step.
    const bool step_row = row.contains("step");
    const int64_t step = step_row ? row["step"].get<int64_t>() : row["epoch"].get<int64_t>();
    for (const auto& [name, value] : row.items()) {
      if (name == "epoch" || name == "step" || !value.is_number()) continue;
      const std::string tag = step_row ? "step/" + name : name;
      const auto found = std::find_if(scalars.begin(), scalars.end(),
                                      [&](const Scalar& s) { return s.tag == tag && s.step == step; });
      INFO(tag);
      REQUIRE(found != scalars.end());
      CHECK(found->value == static_cast<float>(value.get<double>()));
      ++matched;
    }
  }
  CHECK(matched >= 3 * 8);
  // Per-step loss, lr and gradient norm every log_every (4) steps: 45 steps -> 11 of each.
  CHECK(std::count_if(scalars.begin(), scalars.end(), [](const Scalar& s) { return s.tag == "step/loss"; }) == 11);
  CHECK(std::count_if(scalars.begin(), scalars.end(), [](const Scalar& s) { return s.tag == "step/lr"; }) == 11);
  const auto grad_norms = std::count_if(scalars.begin(), scalars.end(), [](const Scalar& s) {
    return s.tag == "step/grad_norm/total" && s.value > 0.0f && std::isfinite(s.value);
  });
  CHECK(grad_norms == 11);
}

TEST_CASE("off a terminal progress is one plain line every log_every steps, --quiet prints only errors") {
  Fixture f;
  auto plain = run_dltrain("run " + f.config + " --output " + f.tmp.path + "/a", f.tmp.path);
  REQUIRE(plain.exit_code == 0);
  CHECK_THAT(plain.err, Catch::Contains("epoch 2/3 step 8/15: loss"));
  auto quiet = run_dltrain("run " + f.config + " --output " + f.tmp.path + "/b --quiet", f.tmp.path);
  REQUIRE(quiet.exit_code == 0);
  CHECK(quiet.err.empty());
}

TEST_CASE("early stopping stops at the right epoch and restores the best epoch's weights") {
  // train/accuracy in min mode: it rises every epoch here, so epoch 1 stays the best and the
  // run stops after patience (2) more epochs.
  Fixture f(kLifecycleConfig + "  early_stopping: {monitor: train/accuracy, mode: min, patience: 2, restore_best: true}\n");
  const auto result = run_dltrain("run " + f.config + " --output " + f.tmp.path + "/out --set train.epochs=6 --set "
                                  "train.checkpoint.keep_last=0 --json", f.tmp.path);
  INFO(result.err);
  REQUIRE(result.exit_code == 0);
  const auto summary = nlohmann::json::parse(result.out);
  CHECK(summary["stop_reason"] == "early_stopping");
  CHECK(summary["epochs_completed"] == 3);
  CHECK(summary["early_stopping"]["best_epoch"] == 1);
  CHECK(summary["early_stopping"]["restored_best"] == true);
  const std::string dir = summary["run_dir"];
  // The final weights are epoch 1's, and so are the test metrics.
  const auto last = checkpoint_tensors(dir + "/checkpoints/last.pt");
  const auto first = checkpoint_tensors(dir + "/checkpoints/epoch-0001.pt");
  const auto third = checkpoint_tensors(dir + "/checkpoints/epoch-0003.pt");
  bool differs_from_third = false;
  for (size_t i = 0; i < last.size(); ++i) {
    CHECK(torch::equal(last[i], first[i]));
    differs_from_third = differs_from_third || !torch::equal(last[i], third[i]);
  }
  CHECK(differs_from_third);
  auto eval = run_dltrain("eval --checkpoint " + dir + "/checkpoints/epoch-0001.pt --json", f.tmp.path);
  REQUIRE(eval.exit_code == 0);
  CHECK(nlohmann::json::parse(eval.out)["accuracy"] == summary["final"]["test/accuracy"]);
}

TEST_CASE("plot draws the curves of several runs and eval --plots writes the confusion matrix PNG") {
  Fixture f;
  const std::string a = f.run("a");
  const std::string png = f.tmp.path + "/curves.png";
  auto plot = run_dltrain("plot " + a + " " + a + " --out " + png, f.tmp.path);
  INFO(plot.err);
  REQUIRE(plot.exit_code == 0);
  const auto header = read_file(png);
  REQUIRE(header.size() > 24);
  CHECK(header.substr(1, 3) == "PNG");
  const auto be32 = [&](size_t at) {
    return (uint32_t(uint8_t(header[at])) << 24) | (uint32_t(uint8_t(header[at + 1])) << 16) |
           (uint32_t(uint8_t(header[at + 2])) << 8) | uint32_t(uint8_t(header[at + 3]));
  };
  CHECK(be32(16) == 3 * 520);  // IHDR width: three panels
  CHECK(header.size() > 8000);  // axes, text and curves, not an empty canvas

  auto missing = run_dltrain("plot " + f.tmp.path + "/nowhere --out " + png, f.tmp.path);
  CHECK(missing.exit_code == 3);

  auto eval = run_dltrain("eval --run " + a + " --plots --json", f.tmp.path);
  INFO(eval.err);
  REQUIRE(eval.exit_code == 0);
  const std::string matrix = nlohmann::json::parse(eval.out)["plots"]["confusion_matrix"];
  CHECK(matrix == a + "/confusion_matrix_test.png");
  CHECK(read_file(matrix).substr(1, 3) == "PNG");
}
