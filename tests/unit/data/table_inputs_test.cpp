// predict's and explain's table rows: columns found by name, scaled as in training, and an empty
// cell given the training mean in the table's own units, whether or not training standardized.
#include <catch2/catch.hpp>
#include <torch/torch.h>

#include <fstream>

#include "dltrain/core/error.h"
#include "dltrain/data/input_files.h"
#include "temp_dir.h"

using namespace dltrain;

TEST_CASE("table rows are read by column name, scaled, and empty cells take the training mean") {
  TempDir tmp;
  std::ofstream(tmp.file("rows.csv")) << "b,label,a\n4,x,1\n,y,3\n";
  data::FeatureColumns standardized{{"a", "b"}, {2, 6}, {0.5, 2}, {2, 6}, true};
  auto rows = data::read_table_inputs({tmp.file("rows.csv")}, standardized);
  CHECK(rows.names == std::vector<std::string>{tmp.file("rows.csv") + ":2", tmp.file("rows.csv") + ":3"});
  CHECK(rows.set.images.equal(torch::tensor({{-2.0f, -1.0f}, {2.0f, 0.0f}})));

  // Without standardization the scaling is the identity and the fill is still the mean (6).
  data::FeatureColumns raw{{"a", "b"}, {0, 0}, {1, 1}, {2, 6}, true};
  rows = data::read_table_inputs({tmp.file("rows.csv")}, raw);
  CHECK(rows.set.images.equal(torch::tensor({{1.0f, 4.0f}, {3.0f, 6.0f}})));

  raw.fill_missing = false;
  CHECK_THROWS_AS(data::read_table_inputs({tmp.file("rows.csv")}, raw), DataError);
  CHECK_THROWS_WITH(data::read_table_inputs({tmp.file("rows.csv")}, raw),
                    Catch::Contains("rows.csv:3") && Catch::Contains("column 'b'"));
}
