// `dltrain plot`: loss, accuracy and learning-rate curves per epoch of one or more runs,
// overlaid in one PNG (a colour per run; train solid, validation dashed).
#pragma once

#include <map>
#include <string>
#include <utility>
#include <vector>

#include "dltrain/vision/line_chart.h"

namespace dltrain::vision {

struct RunCurves {
  std::string name;  // legend label
  std::map<std::string, std::vector<std::pair<double, double>>> metrics;  // metric -> (epoch, value)
};

// Panels: loss (train/loss, val/loss), accuracy (train/accuracy, val/accuracy), learning rate
// (lr). A metric a run lacks is left out. Returns the plot areas in that panel order.
std::vector<PlotArea> write_training_curves_png(const std::vector<RunCurves>& runs, const std::string& path);

}  // namespace dltrain::vision
