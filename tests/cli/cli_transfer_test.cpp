// Transfer learning through the real binary: pre-train on Fashion-MNIST classes 0-4, fine-tune
// frozen features on 50 images per class of classes 5-9, and compare with training from
// scratch; export, predict and explain on a trained run; fine-tune a TorchScript module.
#include <catch2/catch.hpp>
#include <torch/script.h>
#include <torch/torch.h>

#include <algorithm>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <map>
#include <nlohmann/json.hpp>
#include <sstream>

#include "checkpoint_tensors.h"
#include "cli_runner.h"
#include "temp_dir.h"

namespace fs = std::filesystem;

namespace {

const std::string kFmnist = "/usr/share/datasets/fashion-mnist";

nlohmann::json run_json(const std::string& args, const std::string& dir) {
  auto r = run_dltrain(args + " --json", dir);
  INFO(r.err);
  REQUIRE(r.exit_code == 0);
  return nlohmann::json::parse(r.out);
}

const std::string kCnn =
    "threads: 1\n"
    "model: {type: cnn, channels: [16, 32], hidden: [64]}\n";

// `transfer`: more keys of the model section.
std::string fine_tune_config(const std::string& name, const std::string& transfer) {
  return "name: " + name + "\nthreads: 1\nmodel: {type: cnn, channels: [16, 32], hidden: [64]" + transfer + "}\n" +
         "data:\n"
         "  classes: [5, 6, 7, 8, 9]\n"
         "  subset: {train: 250, test: 1000}\n"
         "  val_split: 0\n"
         "  batch_size: 25\n"
         "train:\n"
         "  epochs: 6\n"
         "  checkpoint: {monitor: train/loss, mode: min}\n";
}

bool is_feature(const std::string& name) { return name.rfind("conv", 0) == 0 || name.rfind("norm1_", 0) == 0 ||
                                                  name.rfind("norm2_", 0) == 0; }

std::vector<uint8_t> gunzip_idx(const std::string& gz, const std::string& dir, std::size_t header) {
  const std::string out = dir + "/unzipped";
  REQUIRE(std::system(("gzip -dc " + gz + " > " + out).c_str()) == 0);
  std::ifstream in(out, std::ios::binary);
  std::vector<uint8_t> bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  return std::vector<uint8_t>(bytes.begin() + static_cast<long>(header), bytes.end());
}

}  // namespace

TEST_CASE("fine-tuning keeps frozen pre-trained features bit-identical and trains a fresh head on 250 images") {
  TempDir tmp;
  write_file(tmp.path + "/pretrain.yaml", "name: pretrain\n" + kCnn +
                                              "data: {classes: [0, 1, 2, 3, 4], subset: {train: 3000, test: 500}}\n"
                                              "train: {epochs: 2}\n");
  const auto pretrain = run_json("run " + tmp.path + "/pretrain.yaml --output " + tmp.path + "/runs", tmp.path);
  const std::string base = pretrain["run_dir"];
  CHECK(pretrain["class_counts"].size() == 5);

  write_file(tmp.path + "/finetune.yaml",
             fine_tune_config("finetune", ", pretrained: " + base + ", replace_head: true, freeze: [conv*, norm1_*, norm2_*]"));
  write_file(tmp.path + "/scratch.yaml", fine_tune_config("scratch", ""));
  auto fine_run = run_dltrain("run " + tmp.path + "/finetune.yaml --output " + tmp.path + "/runs --json", tmp.path);
  INFO(fine_run.err);
  REQUIRE(fine_run.exit_code == 0);
  CHECK_THAT(fine_run.err, Catch::Contains("model.pretrained: loaded") && Catch::Contains("head logits starts fresh") &&
                               Catch::Contains("logits.weight: head replaced"));
  const auto fine = nlohmann::json::parse(fine_run.out);
  const auto scratch = run_json("run " + tmp.path + "/scratch.yaml --output " + tmp.path + "/runs", tmp.path);
  CHECK(fine["class_counts"] == nlohmann::json({50, 50, 50, 50, 50}));

  const double fine_accuracy = fine["final"]["test/accuracy"];
  const double scratch_accuracy = scratch["final"]["test/accuracy"];
  // Recorded, not asserted: at 50 images per class frozen features and training from scratch land
  // within a point of each other here (README, "Transfer learning"); both must learn the task.
  WARN("classes 5-9, 250 training images: fine-tuned " << fine_accuracy << ", from scratch " << scratch_accuracy);
  CHECK(fine_accuracy > 0.8);
  CHECK(scratch_accuracy > 0.8);

  // Frozen features (weights and batch-norm statistics) are bit-identical to the pre-trained ones;
  // the head trained.
  std::map<std::string, torch::Tensor> before;
  for (auto& [name, tensor] : named_checkpoint_tensors(base + "/checkpoints/last.pt")) before[name] = tensor;
  int frozen = 0;
  for (auto& [name, tensor] : named_checkpoint_tensors(fine["run_dir"].get<std::string>() + "/checkpoints/last.pt")) {
    INFO(name);
    if (is_feature(name)) {
      CHECK(torch::equal(tensor, before.at(name)));
      ++frozen;
    } else if (name == "logits.weight" || name == "fc1.weight") {
      CHECK_FALSE(torch::equal(tensor, before.at(name)));
    }
  }
  CHECK(frozen == 2 + 2 * 5);  // two conv weights; two norms' weight, bias, running mean/var, batch count

  // train.unfreeze_at_epoch: 5 thaws the features for the last two of six epochs; epoch 4's
  // checkpoint still holds the pre-trained features, the final one has moved them.
  write_file(tmp.path + "/thaw.yaml",
             fine_tune_config("thaw", ", pretrained: " + base + ", replace_head: true, freeze: [conv*, norm1_*, norm2_*]") +
                 "  unfreeze_at_epoch: 5\n");
  const auto thaw = run_json("run " + tmp.path + "/thaw.yaml --output " + tmp.path +
                                 "/runs --set train.checkpoint.every=1 --set train.checkpoint.keep_last=0",
                             tmp.path);
  const std::string thaw_dir = thaw["run_dir"];
  for (auto& [name, tensor] : named_checkpoint_tensors(thaw_dir + "/checkpoints/epoch-0004.pt")) {
    INFO("epoch 4: " << name);
    if (name.rfind("conv", 0) == 0) CHECK(torch::equal(tensor, before.at(name)));
  }
  int thawed = 0;
  for (auto& [name, tensor] : named_checkpoint_tensors(thaw_dir + "/checkpoints/last.pt"))
    if (name.rfind("conv", 0) == 0) thawed += torch::equal(tensor, before.at(name)) ? 0 : 1;
  CHECK(thawed == 2);
}

TEST_CASE("export, predict and explain use a run's final weights") {
  TempDir tmp;
  write_file(tmp.path + "/tiny.yaml", "name: tiny\n" + kCnn +
                                          "data: {subset: {train: 2000, test: 0}, val_split: 0.1}\n"
                                          "train: {epochs: 1}\n");
  const auto summary = run_json("run " + tmp.path + "/tiny.yaml --output " + tmp.path + "/runs", tmp.path);
  const std::string run = summary["run_dir"];

  {  // export writes safetensors that hold the checkpoint's tensors bit for bit
    const auto files = run_json("export --run " + run + " --out " + tmp.path + "/tiny.safetensors", tmp.path);
    CHECK(files["config"] == tmp.path + "/tiny.config.yaml");
    CHECK_THAT(read_file(tmp.path + "/tiny.classes.txt"), Catch::StartsWith("0\n1\n2\n"));
    CHECK(read_file(tmp.path + "/tiny.config.yaml") == read_file(run + "/config.yaml"));
    std::ifstream in(tmp.path + "/tiny.safetensors", std::ios::binary);
    std::string bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    uint64_t header_size = 0;
    std::memcpy(&header_size, bytes.data(), 8);  // little-endian on this machine
    const auto header = nlohmann::json::parse(bytes.substr(8, header_size));
    CHECK(header["__metadata__"]["format"] == "pt");
    CHECK(header["__metadata__"]["dltrain_class_names"] == "[\"0\",\"1\",\"2\",\"3\",\"4\",\"5\",\"6\",\"7\",\"8\",\"9\"]");
    const auto tensors = named_checkpoint_tensors(run + "/checkpoints/last.pt");
    CHECK(header.size() == tensors.size() + 1);
    for (const auto& [name, tensor] : tensors) {
      INFO(name);
      const auto& entry = header.at(name);
      CHECK(entry["shape"] == nlohmann::json(tensor.sizes().vec()));
      const auto begin = entry["data_offsets"][0].get<std::size_t>(), end = entry["data_offsets"][1].get<std::size_t>();
      REQUIRE(end - begin == static_cast<std::size_t>(tensor.nbytes()));
      CHECK(std::memcmp(bytes.data() + 8 + header_size + begin, tensor.contiguous().data_ptr(), end - begin) == 0);
    }
    auto wrong = run_dltrain("export --run " + run + " --format onnx --out " + tmp.path + "/x.onnx", tmp.path);
    CHECK(wrong.exit_code == 2);
  }

  {  // predict's top-1 on the Fashion-MNIST test set agrees with eval's accuracy
    const auto eval = run_json("eval --run " + run, tmp.path);
    REQUIRE(eval["count"] == 10000);
    auto predict = run_dltrain("predict --run " + run + " " + kFmnist + "/t10k-images-idx3-ubyte.gz --top-k 2 --out " +
                                   tmp.path + "/predictions.csv",
                               tmp.path);
    INFO(predict.err);
    REQUIRE(predict.exit_code == 0);
    const auto labels = gunzip_idx(kFmnist + "/t10k-labels-idx1-ubyte.gz", tmp.path, 8);
    std::istringstream csv(read_file(tmp.path + "/predictions.csv"));
    std::string line;
    std::getline(csv, line);
    CHECK(line == "input,class_1,probability_1,class_2,probability_2");
    int64_t rows = 0, correct = 0, misnamed = 0;
    while (std::getline(csv, line)) {
      const auto first = line.find(','), second = line.find(',', first + 1);
      misnamed += line.substr(0, first) != kFmnist + "/t10k-images-idx3-ubyte.gz#" + std::to_string(rows);
      correct += std::stoi(line.substr(first + 1, second - first - 1)) == labels[static_cast<std::size_t>(rows)];
      ++rows;
    }
    CHECK(misnamed == 0);
    CHECK(rows == 10000);
    const double accuracy = double(correct) / double(rows);
    WARN("predict top-1 accuracy " << accuracy << ", eval accuracy " << eval["accuracy"].get<double>());
    CHECK(accuracy == Approx(eval["accuracy"].get<double>()).margin(1e-12));
  }

  {  // predict writes JSON and reads PNG files; explain writes heat maps and raw maps
    const std::string sneaker = std::string(DLTRAIN_SOURCE_DIR) + "/tests/fixtures/images/sneaker.png";
    const auto png = run_json("predict --run " + run + " " + sneaker + " --format json --top-k 2", tmp.path);
    REQUIRE(png.size() == 1);
    CHECK(png[0]["input"] == sneaker);
    CHECK(png[0]["top"].size() == 2);
    CHECK(png[0]["top"][0]["probability"].get<double>() >= png[0]["top"][1]["probability"].get<double>());
    for (const char* method : {"gradcam", "saliency", "integrated_gradients"}) {
      INFO(method);
      auto explain = run_dltrain(std::string("explain --run ") + run + " --input " + DLTRAIN_SOURCE_DIR +
                                     "/tests/fixtures/images/sneaker.png --method " + method + " --out " + tmp.path +
                                     "/explain",
                                 tmp.path);
      INFO(explain.err);
      REQUIRE(explain.exit_code == 0);
      CHECK(fs::file_size(tmp.path + "/explain/sneaker." + method + ".png") > 100);
      std::istringstream map(read_file(tmp.path + "/explain/sneaker." + method + ".csv"));
      int map_rows = 0;
      for (std::string row; std::getline(map, row); ++map_rows) CHECK(std::count(row.begin(), row.end(), ',') == 27);
      CHECK(map_rows == 28);
    }
    const auto report = nlohmann::json::parse(read_file(tmp.path + "/explain/explanations.json"));
    CHECK(report[0]["method"] == "integrated_gradients");
    auto missing = run_dltrain("predict --run " + run + " " + tmp.path + "/nothing.png", tmp.path);
    CHECK(missing.exit_code == 3);
  }
}

TEST_CASE("a TorchScript module saved by torch.jit.save fine-tunes and its loss falls") {
  TempDir tmp;
  const std::string module = std::string(DLTRAIN_SOURCE_DIR) + "/tests/fixtures/torchscript/small_cnn.pt";
  write_file(tmp.path + "/ts.yaml", "name: ts\nthreads: 1\n"
                                    "model: {type: torchscript, pretrained: " + module +
                                        ", freeze: [features.0.*, features.1.*]}\n"
                                        "data: {subset: {train: 1500, test: 300}, val_split: 0.2, batch_size: 32}\n"
                                        "optimizer: {lr: 0.003}\n"
                                        "train: {epochs: 3}\n");
  const auto summary = run_json("run " + tmp.path + "/ts.yaml --output " + tmp.path + "/runs", tmp.path);
  std::istringstream rows(read_file(summary["run_dir"].get<std::string>() + "/metrics.jsonl"));
  std::vector<double> losses;
  for (std::string line; std::getline(rows, line);) {
    const auto row = nlohmann::json::parse(line);
    if (!row.contains("step")) losses.push_back(row["train/loss"]);
  }
  REQUIRE(losses.size() == 3);
  WARN("TorchScript fine-tuning train/loss per epoch: " << losses[0] << ", " << losses[1] << ", " << losses[2]);
  CHECK(losses[2] < losses[0]);
  CHECK(summary["final"]["test/accuracy"].get<double>() > 0.5);
  // Parameter names are Python's; the frozen first conv stayed as saved.
  const auto tensors = named_checkpoint_tensors(summary["run_dir"].get<std::string>() + "/checkpoints/last.pt");
  CHECK(tensors.front().first == "features.0.weight");
  const auto saved = torch::jit::load(module);
  std::map<std::string, torch::Tensor> trained(tensors.begin(), tensors.end());
  for (const auto& p : saved.named_parameters())
    if (p.name == "features.0.weight") CHECK(torch::equal(p.value, trained.at(p.name)));
  for (const auto& b : saved.named_buffers()) {  // the frozen batch norm kept its statistics
    INFO(b.name);
    if (b.name.rfind("features.1.", 0) == 0) CHECK(torch::equal(b.value, trained.at(b.name)));
  }
  // eval and predict rebuild the module from the stored config.
  CHECK(run_json("eval --run " + summary["run_dir"].get<std::string>(), tmp.path)["accuracy"] ==
        summary["final"]["test/accuracy"]);
}
