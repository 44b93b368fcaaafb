// The data formats and `dltrain augment` through the real binary: the shipped CIFAR-format and
// CSV samples train end to end; a 100-image image_folder becomes 500 variants that train again;
// corrupt images and bad CSV cells fail with one line and exit 3 (or are skipped and counted).
#include <catch2/catch.hpp>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>

#include "cli_runner.h"
#include "temp_dir.h"

namespace fs = std::filesystem;
using Catch::Matchers::Contains;

namespace {

const std::string kSource = DLTRAIN_SOURCE_DIR;
const std::string kQuick = " --set threads=1 --set train.epochs=2 --json --quiet";

nlohmann::json run_json(const std::string& args, const TempDir& tmp) {
  auto r = run_dltrain(args, tmp.path);
  INFO(r.err);
  REQUIRE(r.exit_code == 0);
  return nlohmann::json::parse(r.out);
}

size_t count_png(const std::string& dir) {
  size_t n = 0;
  for (const auto& entry : fs::recursive_directory_iterator(dir)) n += entry.path().extension() == ".png";
  return n;
}

// An image_folder config over `train` (the CNN fits 32x32 colour images).
std::string folder_config(const std::string& train, const std::string& extra = "") {
  return "name: folder\nthreads: 1\ndata:\n  format: image_folder\n  train: " + train +
         "\n  test: \"\"\n  val_split: 0.2\n  batch_size: 25\n  workers: 2\n  normalize: {mean: [0.5], std: [0.25]}\n" +
         extra + "model: {type: cnn, channels: [8], hidden: [16]}\ntrain: {epochs: 1}\n";
}

// data/tiny: the 100 CIFAR sample images as PNGs, written by `augment --per-image 1` with an op
// that never fires (p = 0): exact copies in image_folder layout.
std::string cifar_as_folder(const TempDir& tmp) {
  write_file(tmp.path + "/copy.yaml", "data:\n  format: cifar\n  train: " + kSource +
                                          "/datasets/cifar_tiny\n  augment: [{op: hflip, p: 0}]\nmodel: {type: mlp}\n");
  run_json("augment " + tmp.path + "/copy.yaml --out " + tmp.path + "/tiny --per-image 1 --json --quiet", tmp);
  return tmp.path + "/tiny";
}

}  // namespace

TEST_CASE("the CIFAR-format sample trains end to end with augmentation and keeps its class names") {
  TempDir tmp;
  const auto summary = run_json("run " + kSource + "/configs/cifar_tiny.yaml --output " + tmp.path + " --set data.train=" +
                                    kSource + "/datasets/cifar_tiny --set data.test=" + kSource + "/datasets/cifar_tiny" +
                                    kQuick,
                                tmp);
  CHECK(summary["epochs_completed"] == 2);
  CHECK(summary["class_names"][0] == "airplane");
  CHECK(summary["final"].contains("test/recall/truck"));
}

TEST_CASE("the CSV sample trains end to end, class names and feature scaling land in summary.json") {
  TempDir tmp;
  const auto summary = run_json(
      "run " + kSource + "/configs/blobs_csv.yaml --output " + tmp.path + " --set data.train=" + kSource + "/datasets/blobs.csv" +
          " --set threads=1 --json --quiet",
      tmp);
  CHECK(summary["class_names"] == nlohmann::json({"setosa", "versicolor", "virginica"}));
  CHECK(summary["feature_scaling"]["features"].size() == 4);
  CHECK(summary["final"]["val/accuracy"].get<double>() > 0.6);  // chance is 1/3
}

TEST_CASE("a non-numeric CSV cell stops the run with one line naming row and column, exit 3") {
  TempDir tmp;
  write_file(tmp.path + "/bad.csv", "a,b,label\n1,2,x\n3,4,y\n5,n/a,x\n");
  auto r = run_dltrain("run " + kSource + "/configs/blobs_csv.yaml --output " + tmp.path + " --set data.train=" + tmp.path +
                           "/bad.csv --set data.csv.label=label --quiet",
                       tmp.path);
  CHECK(r.exit_code == 3);
  CHECK_THAT(r.err, Contains(tmp.path + "/bad.csv:4: column 'b': expected a number, got \"n/a\""));
  CHECK(std::count(r.err.begin(), r.err.end(), '\n') == 1);
}

TEST_CASE("augment writes N variants per image, a manifest and a preview, the output trains as image_folder") {
  TempDir tmp;
  const std::string source = cifar_as_folder(tmp);
  REQUIRE(count_png(source) == 100 + 1);  // + preview.png
  write_file(tmp.path + "/aug.yaml",
             folder_config(source, "  augment:\n    - {op: random_crop, size: 32, padding: 2}\n    - {op: hflip, p: 0.5}\n"
                                   "    - {op: rotate, degrees: 10}\n"));
  auto r = run_dltrain("augment " + tmp.path + "/aug.yaml --out " + tmp.path + "/synth --per-image 5", tmp.path);
  INFO(r.err);
  REQUIRE(r.exit_code == 0);
  CHECK_THAT(r.err, Contains("augment: 100/100 source images, 500 variants written"));
  CHECK(count_png(tmp.path + "/synth") == 500 + 1);  // + preview.png
  CHECK(fs::exists(tmp.path + "/synth/preview.png"));
  const std::string manifest = read_file(tmp.path + "/synth/manifest.csv");
  CHECK(std::count(manifest.begin(), manifest.end(), '\n') == 501);
  CHECK_THAT(manifest, Contains("path,label,source,ops\n"));
  CHECK_THAT(manifest, Contains("random_crop(top="));
  CHECK_THAT(manifest, Contains("rotate(angle="));
  CHECK_THAT(manifest, Contains(source + "/airplane/"));

  // A non-empty output directory and the source directory are refused without --force.
  auto again = run_dltrain("augment " + tmp.path + "/aug.yaml --out " + tmp.path + "/synth", tmp.path);
  CHECK(again.exit_code == 3);
  CHECK_THAT(again.err, Contains("is not empty (use --force"));
  auto into_source = run_dltrain("augment " + tmp.path + "/aug.yaml --out " + source + "/more", tmp.path);
  CHECK(into_source.exit_code == 3);
  CHECK_THAT(into_source.err, Contains("is inside the source data"));

  write_file(tmp.path + "/synth.yaml", folder_config(tmp.path + "/synth"));
  const auto summary = run_json("run " + tmp.path + "/synth.yaml --output " + tmp.path + "/runs --json --quiet", tmp);
  CHECK(summary["class_counts"].size() == 10);
  CHECK(summary["epochs_completed"] == 1);
}

TEST_CASE("a corrupt image stops the run with its path (exit 3), or is skipped and counted with skip_corrupt") {
  TempDir tmp;
  const std::string source = cifar_as_folder(tmp);
  const std::string broken = source + "/cat/000003_0.png";
  REQUIRE(fs::exists(broken));
  std::ofstream(broken, std::ios::trunc) << "not an image";
  write_file(tmp.path + "/f.yaml", folder_config(source));
  auto r = run_dltrain("run " + tmp.path + "/f.yaml --output " + tmp.path + "/runs --quiet", tmp.path);
  CHECK(r.exit_code == 3);
  CHECK_THAT(r.err, Contains("'" + broken + "': cannot decode the image"));
  CHECK(std::count(r.err.begin(), r.err.end(), '\n') == 1);
  const auto summary = run_json(
      "run " + tmp.path + "/f.yaml --output " + tmp.path + "/runs --set data.skip_corrupt=true --json --quiet", tmp);
  CHECK(summary["skipped_files"]["count"] == 1);
  CHECK(summary["skipped_files"]["paths"][0] == broken);
}

TEST_CASE("augment on a csv dataset writes SMOTE rows up to --per-class, and the table trains") {
  TempDir tmp;
  const std::string blobs = " --set data.train=" + kSource + "/datasets/blobs.csv";
  const auto report = run_json("augment " + kSource + "/configs/blobs_csv.yaml --out " + tmp.path + "/more --per-class 50" +
                                   blobs + " --json --quiet",
                               tmp);
  CHECK(report["rows_per_class"]["setosa"]["before"] == 30);
  CHECK(report["rows_per_class"]["setosa"]["after"] == 50);
  CHECK(report["file"] == tmp.path + "/more/blobs.csv");
  const auto summary = run_json("run " + kSource + "/configs/blobs_csv.yaml --output " + tmp.path + " --set data.train=" +
                                    tmp.path + "/more/blobs.csv --set train.epochs=1 --json --quiet",
                                tmp);
  CHECK(summary["class_counts"].size() == 3);
}

TEST_CASE("predict and explain read CSV rows of a table model, scaled as in training") {
  TempDir tmp;
  const std::string blobs = kSource + "/datasets/blobs.csv";
  const auto summary = run_json("run " + kSource + "/configs/blobs_csv.yaml --output " + tmp.path + " --set data.train=" +
                                    blobs + " --set threads=1 --json --quiet",
                                tmp);
  const std::string run = summary["run_dir"];

  // Every row of the training table: top-1 agrees with its label for nearly all.
  const auto predictions = nlohmann::json::parse(run_dltrain("predict --run " + run + " " + blobs + " --top-k 1 --format json", tmp.path).out);
  REQUIRE(predictions.size() == 90);
  std::ifstream table(blobs);
  std::string line;
  std::getline(table, line);  // header
  int agree = 0;
  for (const auto& prediction : predictions) {
    std::getline(table, line);
    agree += line.substr(line.rfind(',') + 1) == prediction["top"][0]["class"].get<std::string>();
  }
  CHECK(agree >= 80);
  CHECK(predictions[0]["input"] == blobs + ":2");

  // Columns by name, in any order, extra ones ignored; an empty cell takes the training mean
  // (the config's data.csv.missing is mean).
  write_file(tmp.path + "/new.csv",
             "note,petal_width,petal_length,sepal_width,sepal_length\n"
             "x,0.12,1.44,3.53,4.94\n"
             "y,,4.58,2.75,5.67\n");
  auto r = run_dltrain("predict --run " + run + " " + tmp.path + "/new.csv --top-k 1", tmp.path);
  INFO(r.err);
  REQUIRE(r.exit_code == 0);
  CHECK_THAT(r.out, Contains("new.csv:2") && Contains("setosa") && Contains("new.csv:3"));

  r = run_dltrain("explain --run " + run + " --input " + tmp.path + "/new.csv --out " + tmp.path + "/why", tmp.path);
  INFO(r.err);
  REQUIRE(r.exit_code == 0);
  const std::string ranked = read_file(tmp.path + "/why/new-2.gradient_x_input.csv");
  CHECK_THAT(ranked, Catch::StartsWith("feature,value,attribution\n"));
  CHECK(std::count(ranked.begin(), ranked.end(), '\n') == 5);  // header + 4 features
  CHECK_THAT(ranked, Contains("sepal_length,4.94,") && Contains("petal_width,0.12,"));
  const auto report = nlohmann::json::parse(read_file(tmp.path + "/why/explanations.json"));
  CHECK(report.size() == 2);
  CHECK(report[0]["method"] == "gradient_x_input");

  write_file(tmp.path + "/short.csv", "sepal_length,sepal_width\n1,2\n");
  r = run_dltrain("predict --run " + run + " " + tmp.path + "/short.csv", tmp.path);
  CHECK(r.exit_code == 3);
  CHECK_THAT(r.err, Contains("short.csv") && Contains("petal_length"));
}
