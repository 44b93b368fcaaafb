// `dltrain eval --plots`: the confusion matrix as a labelled heat map (rows: true class,
// columns: predicted class; colour: share of the row, so rare classes read as clearly as
// common ones; every cell shows its count).
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace dltrain::vision {

struct HeatMapLayout {
  int left = 0, top = 0, cell = 0;  // cell (row, column) spans [left + column*cell, top + row*cell]
  int width = 0, height = 0;        // the whole image
};

// `confusion` is row-major [true][predicted] with class_names.size() rows and columns.
HeatMapLayout write_confusion_matrix_png(const std::vector<int64_t>& confusion,
                                         const std::vector<std::string>& class_names, const std::string& title,
                                         const std::string& path);

}  // namespace dltrain::vision
