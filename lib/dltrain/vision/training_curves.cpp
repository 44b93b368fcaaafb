// Which metrics go on which panel is data, so adding a panel is one line.
#include "dltrain/vision/training_curves.h"

namespace dltrain::vision {
namespace {

struct PanelSpec {
  const char* title;
  const char* y_label;
  std::vector<const char*> metrics;  // the first solid, the rest dashed
};

const std::vector<PanelSpec>& panel_specs() {
  static const std::vector<PanelSpec> specs = {
      {"loss", "loss", {"train/loss", "val/loss"}},
      {"accuracy", "accuracy", {"train/accuracy", "val/accuracy"}},
      {"learning rate", "lr", {"lr"}},
  };
  return specs;
}

}  // namespace

std::vector<PlotArea> write_training_curves_png(const std::vector<RunCurves>& runs, const std::string& path) {
  std::vector<Panel> panels;
  for (const auto& spec : panel_specs()) {
    Panel panel{spec.title, "epoch", spec.y_label, {}};
    for (size_t r = 0; r < runs.size(); ++r) {
      for (size_t m = 0; m < spec.metrics.size(); ++m) {
        const auto found = runs[r].metrics.find(spec.metrics[m]);
        if (found == runs[r].metrics.end()) continue;
        const std::string label = runs.size() > 1 ? runs[r].name + " " + spec.metrics[m] : spec.metrics[m];
        panel.series.push_back({label, found->second, palette_color(r), m > 0});
      }
    }
    panels.push_back(std::move(panel));
  }
  return write_panels_png(panels, path);
}

}  // namespace dltrain::vision
