// CSV datasets: any bytes as a csv training file go through the table reader and the numeric
// conversion (labels by name, missing cells under `missing: mean`) or end in one DataError.
#include "dltrain/config/experiment_config.h"
#include "dltrain/data/dataset_format.h"
#include "fuzz_support.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  dltrain::fuzz::InputFile file("table.csv", data, size);
  dltrain::config::DataConfig config;
  config.format = "csv";
  config.csv.missing = size % 2 ? "mean" : "drop";  // both policies from one corpus
  const std::string key = "train";
  const dltrain::data::ImageSupport no_images;
  dltrain::fuzz::expect_only_dltrain_errors(
      [&] { dltrain::data::read_csv_format({file.path(), key, config, no_images}); });
  return 0;
}
