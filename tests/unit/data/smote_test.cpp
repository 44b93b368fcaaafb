// SMOTE: minority classes grow to the target with rows on segments between a row and one of
// its nearest same-class neighbours; other classes are untouched; the table is written back in
// its own units, and a non-empty output directory is refused.
#include <catch2/catch.hpp>

#include <cmath>
#include <fstream>

#include "dltrain/config/experiment_config.h"
#include "dltrain/core/error.h"
#include "dltrain/data/csv_table.h"
#include "dltrain/data/smote.h"
#include "temp_dir.h"

using namespace dltrain;

namespace {

// Class 0: 12 rows scattered around (0, 0); class 1: 4 rows on the line y = 2x + 10, x = 1..4.
data::TableRows two_classes() {
  data::TableRows table;
  for (int i = 0; i < 12; ++i) {
    table.features.push_back({std::sin(i * 1.3), std::cos(i * 0.7)});
    table.labels.push_back(0);
  }
  for (int x = 1; x <= 4; ++x) {
    table.features.push_back({double(x), 2.0 * x + 10});
    table.labels.push_back(1);
  }
  return table;
}

}  // namespace

TEST_CASE("smote fills a minority class up to the target with rows between its own rows") {
  auto table = two_classes();
  data::smote(table, 2, 12, 2, 7);
  REQUIRE(table.labels.size() == 24);
  for (size_t r = 16; r < 24; ++r) {
    CHECK(table.labels[r] == 1);
    const double x = table.features[r][0], y = table.features[r][1];
    CHECK(y == Approx(2 * x + 10));  // interpolation stays on the class's line
    CHECK(x >= 1.0);
    CHECK(x <= 4.0);
  }
  // Two pairs far apart (x = 1, 2 and 20, 21): with k = 1 a row's partner is its pair, so no new
  // row falls in the gap between the pairs; with k = 3 some do.
  auto pairs = [] {
    data::TableRows t;
    for (double x : {1.0, 2.0, 20.0, 21.0}) {
      t.features.push_back({x, 0.0});
      t.labels.push_back(0);
    }
    return t;
  };
  auto near = pairs(), far = pairs();
  data::smote(near, 1, 40, 1, 3);
  data::smote(far, 1, 40, 3, 3);
  auto in_gap = [](const data::TableRows& t) {
    int n = 0;
    for (const auto& row : t.features) n += row[0] > 2.0 && row[0] < 20.0;
    return n;
  };
  CHECK(in_gap(near) == 0);
  CHECK(in_gap(far) > 0);
}

TEST_CASE("smote is deterministic in its seed and leaves classes at the target alone") {
  auto a = two_classes(), b = two_classes(), c = two_classes();
  data::smote(a, 2, 10, 3, 1);
  data::smote(b, 2, 10, 3, 1);
  data::smote(c, 2, 10, 3, 2);
  CHECK(a.features == b.features);
  CHECK(a.features != c.features);
  CHECK(a.labels.size() == 12 + 10);  // class 0 (12 rows) is above the target already
}

TEST_CASE("synthesize_table balances a csv file to the largest class and refuses a non-empty directory") {
  TempDir dir;
  std::string text = "f1,f2,kind\n";
  for (int i = 0; i < 9; ++i) text += std::to_string(i) + "," + std::to_string(i % 3) + ",many\n";
  for (int i = 0; i < 3; ++i) text += std::to_string(100 + i) + ",5,\"few, rare\"\n";
  std::ofstream(dir.path + "/t.csv") << text;
  config::DataConfig data;
  data.format = "csv";
  data.train = dir.path + "/t.csv";
  data.csv.label = "kind";
  const auto report = data::synthesize_table(data, dir.path + "/out", 0, 5, 0, false);
  CHECK(report.before == std::vector<int64_t>{3, 9});
  CHECK(report.after == std::vector<int64_t>{9, 9});
  const auto written = data::read_csv_table(dir.path + "/out/t.csv");
  CHECK(written.header == std::vector<std::string>{"f1", "f2", "kind"});
  REQUIRE(written.rows.size() == 18);
  CHECK(written.rows[0] == std::vector<std::string>{"0", "0", "many"});
  CHECK(written.rows[17][2] == "few, rare");
  CHECK(std::stod(written.rows[17][0]) >= 100);
  CHECK(written.rows[17][1] == "5");
  CHECK_THROWS_AS(data::synthesize_table(data, dir.path + "/out", 0, 5, 0, false), DataError);
}
