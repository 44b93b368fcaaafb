// SMOTE for tables (`dltrain augment` on a csv dataset): new rows of a class are drawn on the
// segment between one of its rows and one of that row's k nearest neighbours in the same class.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace dltrain::config {
struct DataConfig;
}

namespace dltrain::data {

// Rows of one table in original units (NaN = missing) with class indices.
struct TableRows {
  std::vector<std::vector<double>> features;
  std::vector<int64_t> labels;
};

// Appends synthetic rows until every class has `target` rows (classes already there are left
// alone). Distances use features scaled by their standard deviation; rows with missing cells
// are never used as seeds or neighbours. k = neighbours considered (fewer when the class is
// small). A class with a single complete row is copied. Deterministic in `seed`.
void smote(TableRows& table, int64_t num_classes, int64_t target, int64_t k, uint64_t seed);

struct TableSynthesisReport {
  std::string file;
  std::vector<std::string> class_names;
  std::vector<int64_t> before, after;  // rows per class
};

// Reads data.train (format csv), applies smote up to `target` rows per class (0 = the largest
// class's count) and writes <out_dir>/<data.train's file name>: the feature columns and the
// label column, original rows first. Throws DataError when out_dir is not empty and !force.
TableSynthesisReport synthesize_table(const config::DataConfig& data, const std::string& out_dir, int64_t target,
                                      int64_t k, uint64_t seed, bool force);

}  // namespace dltrain::data
