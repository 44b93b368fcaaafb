// data.format: csv — the CSV reader, string labels as classes, scaling fitted on the training
// split only, the missing-value policies and errors that name file, line and column.
#include <catch2/catch.hpp>
#include <torch/torch.h>

#include <cmath>
#include <fstream>

#include "dltrain/config/experiment_config.h"
#include "dltrain/core/error.h"
#include "dltrain/data/csv_table.h"
#include "dltrain/data/image_dataset.h"
#include "temp_dir.h"

using namespace dltrain;
using Catch::Matchers::Contains;

namespace {

std::string write(const TempDir& dir, const std::string& name, const std::string& text) {
  const std::string path = dir.path + "/" + name;
  std::ofstream(path) << text;
  return path;
}

config::DataConfig csv_config(const std::string& path) {
  config::DataConfig data;
  data.format = "csv";
  data.train = path;
  data.test = "";
  data.val_split = 0.0;
  data.csv.label = "kind";
  return data;
}

// 3 classes x 10 rows; feature a = row index, b = 2 * a + 100.
std::string table_text() {
  std::string text = "a,b,kind\n";
  const char* kinds[] = {"zebra", "ant", "moth"};
  for (int i = 0; i < 30; ++i) text += std::to_string(i) + "," + std::to_string(2 * i + 100) + "," + kinds[i % 3] + "\n";
  return text;
}

}  // namespace

TEST_CASE("the CSV reader keeps quoted commas and quotes and counts lines") {
  TempDir dir;
  auto table = data::read_csv_table(write(dir, "q.csv", "path,label\n\"a, b.png\",\"say \"\"hi\"\"\"\n\nc.png,x\n"));
  REQUIRE(table.rows.size() == 2);
  CHECK(table.rows[0][0] == "a, b.png");
  CHECK(table.rows[0][1] == "say \"hi\"");
  CHECK(table.lines[1] == 4);
}

TEST_CASE("a CSV row with the wrong number of cells names file and line") {
  TempDir dir;
  const auto path = write(dir, "bad.csv", "a,b\n1,2\n3\n");
  CHECK_THROWS_WITH(data::read_csv_table(path), Contains(path + ":3: expected 2 cells (as the header), got 1"));
}

TEST_CASE("csv labels are class names in sorted order and features are standardized on the training split") {
  TempDir dir;
  auto config = csv_config(write(dir, "t.csv", table_text()));
  config.val_split = 0.3;
  const auto splits = data::load_dataset(config, 1);
  CHECK(splits.class_names == std::vector<std::string>{"ant", "moth", "zebra"});
  CHECK(splits.input_shape == std::vector<int64_t>{2});
  CHECK(splits.feature_names == std::vector<std::string>{"a", "b"});
  REQUIRE(splits.train.size() == 21);
  REQUIRE(splits.val.size() == 9);
  const auto train = splits.train.images.to(torch::kDouble);
  CHECK(train.mean(0).abs().max().item<double>() < 1e-5);
  CHECK(train.std(0, /*unbiased=*/false).sub(1).abs().max().item<double>() < 1e-5);
  // The scaling comes from the training rows only, so validation is not exactly centred, and
  // every row maps back to its raw values through the recorded mean and std.
  CHECK(splits.val.images.mean(0).abs().max().item<double>() > 1e-3);
  const double raw_a = splits.val.images[0][0].item<double>() * splits.feature_std[0] + splits.feature_mean[0];
  const double raw_b = splits.val.images[0][1].item<double>() * splits.feature_std[1] + splits.feature_mean[1];
  CHECK(raw_b == Approx(2 * raw_a + 100).margin(1e-3));
  // The label follows the row: row i has class kinds[i % 3].
  const int64_t row = std::lround(raw_a);
  const char* kinds[] = {"zebra", "ant", "moth"};
  CHECK(splits.class_names[splits.val.labels[0].item<int64_t>()] == kinds[row % 3]);
}

TEST_CASE("numeric labels sort as numbers") {
  TempDir dir;
  auto config = csv_config(write(dir, "n.csv", "x,kind\n1,10\n2,2\n3,1\n4,10\n"));
  CHECK(data::load_dataset(config, 0).class_names == std::vector<std::string>{"1", "2", "10"});
}

TEST_CASE("a non-numeric feature cell names file, line and column") {
  TempDir dir;
  const auto path = write(dir, "bad.csv", "a,b,kind\n1,2,x\n3,seven,y\n");
  CHECK_THROWS_WITH(data::load_dataset(csv_config(path), 0),
                    Contains(path + ":3: column 'b': expected a number, got \"seven\""));
  CHECK_THROWS_AS(data::load_dataset(csv_config(path), 0), DataError);
}

TEST_CASE("missing cells: error names the cell, drop removes the row, mean fills the training mean") {
  TempDir dir;
  const auto path = write(dir, "gap.csv", "a,b,kind\n1,10,x\n,20,y\n3,30,x\n5,40,y\n");
  auto config = csv_config(path);
  CHECK_THROWS_WITH(data::load_dataset(config, 0), Contains(path + ":3: column 'a': the cell is empty"));

  config.csv.missing = "drop";
  CHECK(data::load_dataset(config, 0).train.size() == 3);

  config.csv.missing = "mean";
  config.csv.standardize = false;
  const auto filled = data::load_dataset(config, 0);
  REQUIRE(filled.train.size() == 4);
  // Mean of the present values 1, 3, 5 is 3; rows keep file order without a validation split.
  CHECK(filled.train.images[1][0].item<float>() == Approx(3.0));
}

TEST_CASE("an unknown label or feature column lists the header") {
  TempDir dir;
  auto config = csv_config(write(dir, "t.csv", table_text()));
  config.csv.label = "species";
  CHECK_THROWS_WITH(data::load_dataset(config, 0), Contains("no column named 'species'; the header has a, b, kind"));
  config.csv.label = "kind";
  config.csv.features = "a, c";
  CHECK_THROWS_WITH(data::load_dataset(config, 0), Contains("data.csv.features: no column named 'c'"));
}
