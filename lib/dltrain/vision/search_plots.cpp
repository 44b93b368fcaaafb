// Search plots drawn with the line-chart panels; see search_plots.h.
#include "dltrain/vision/search_plots.h"

#include <algorithm>
#include <cmath>
#include <set>

#include "dltrain/vision/line_chart.h"

namespace dltrain::vision {
namespace {

Series markers(const std::string& label, std::size_t color) {
  Series s;
  s.label = label;
  s.bgr = palette_color(color);
  s.lines = false;
  return s;
}

Panel parameter_panel(const std::vector<SearchPlotTrial>& trials, const std::string& key, const std::string& metric) {
  std::vector<nlohmann::json> values;
  for (const auto& t : trials) {
    if (t.params.contains(key)) values.push_back(t.params[key]);
  }
  bool numeric = true, positive = true;
  double lo = INFINITY, hi = -INFINITY;
  for (const auto& v : values) {
    numeric = numeric && v.is_number();
    if (!v.is_number()) continue;
    const double x = v.get<double>();
    positive = positive && x > 0;
    lo = std::min(lo, x), hi = std::max(hi, x);
  }
  const bool log_axis = numeric && positive && hi / lo >= 100;
  std::vector<std::string> labels;  // choices, in order of first appearance
  for (const auto& v : values) {
    if (!numeric && std::find(labels.begin(), labels.end(), v.dump()) == labels.end()) labels.push_back(v.dump());
  }
  Panel panel;
  panel.title = metric + " vs " + key;
  panel.y_label = metric;
  panel.x_label = log_axis ? "log10 " + key : key;
  panel.whole_x = !numeric || values.empty() || std::all_of(values.begin(), values.end(), [](const auto& v) {
    return v.is_number_integer();
  });
  if (!numeric) {
    panel.x_label += " (";
    for (std::size_t i = 0; i < labels.size(); ++i) panel.x_label += (i ? ", " : "") + std::to_string(i) + "=" + labels[i];
    panel.x_label += ")";
  }
  Series complete = markers("complete", 0), pruned = markers("pruned", 7);
  for (const auto& t : trials) {
    if (!t.params.contains(key)) continue;
    const auto& v = t.params[key];
    double x = 0;
    if (numeric) {
      x = log_axis ? std::log10(v.get<double>()) : v.get<double>();
    } else {
      x = double(std::find(labels.begin(), labels.end(), v.dump()) - labels.begin());
    }
    (t.pruned ? pruned : complete).points.push_back({x, t.value});
  }
  panel.series = {complete, pruned};
  return panel;
}

}  // namespace

void write_search_plots_png(const std::vector<SearchPlotTrial>& trials, const std::string& metric, bool maximize,
                            const std::string& objective_png, const std::string& params_png) {
  Panel objective;
  objective.title = metric + " per trial";
  objective.x_label = "trial";
  objective.y_label = metric;
  Series complete = markers("complete", 0), pruned = markers("pruned", 7);
  Series best;
  best.label = "best so far";
  best.bgr = palette_color(3);
  std::vector<SearchPlotTrial> ordered = trials;
  std::sort(ordered.begin(), ordered.end(), [](const auto& a, const auto& b) { return a.number < b.number; });
  double best_value = NAN;
  for (const auto& t : ordered) {
    (t.pruned ? pruned : complete).points.push_back({double(t.number), t.value});
    if (t.pruned) continue;
    if (!std::isfinite(best_value) || (maximize ? t.value > best_value : t.value < best_value)) best_value = t.value;
    best.points.push_back({double(t.number), best_value});
  }
  objective.series = {complete, pruned, best};
  write_panels_png({objective}, objective_png);

  std::set<std::string> seen;
  std::vector<std::string> keys;
  for (const auto& t : ordered) {
    for (const auto& [key, value] : t.params.items()) {
      if (seen.insert(key).second) keys.push_back(key);
    }
  }
  std::vector<Panel> panels;
  for (const auto& key : keys) panels.push_back(parameter_panel(ordered, key, metric));
  if (!panels.empty()) write_panels_png(panels, params_png);
}

}  // namespace dltrain::vision
