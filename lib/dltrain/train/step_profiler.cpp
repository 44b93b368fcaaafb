#include "dltrain/train/step_profiler.h"

#include <fmt/format.h>
#include <spdlog/spdlog.h>
#include <torch/csrc/autograd/profiler_legacy.h>

#include <algorithm>
#include <chrono>
#include <map>
#include <nlohmann/json.hpp>
#include <utility>
#include <vector>

#include "dltrain/io/atomic_file.h"

namespace dltrain::train {
namespace {

namespace profiler = torch::autograd::profiler;

struct OperatorTime {
  std::string name;
  double self_ms = 0.0;  // per step
  double calls = 0.0;    // per step
};

struct StepProfile {
  int64_t steps = 0;
  double step_ms = 0.0;  // wall time per recorded step, profiler overhead included
  std::vector<OperatorTime> operators;  // largest self time first
};

double now_ms() {
  return std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now().time_since_epoch()).count();
}

// Self and call totals by operator name from the recorded ranges, which nest per thread.
std::vector<OperatorTime> operator_times(const profiler::thread_event_lists& threads, int64_t steps) {
  struct Open {
    const profiler::LegacyEvent* start;
    double children_us = 0.0;
  };
  std::map<std::string, OperatorTime> by_name;
  for (const auto& events : threads) {
    std::vector<Open> stack;
    for (const auto& event : events) {
      if (event.kind() == profiler::EventKind::PushRange) {
        stack.push_back({&event});
      } else if (event.kind() == profiler::EventKind::PopRange && !stack.empty()) {
        const Open open = stack.back();
        stack.pop_back();
        const double elapsed_us = open.start->cpuElapsedUs(event);
        if (!stack.empty()) stack.back().children_us += elapsed_us;
        auto& entry = by_name[open.start->name()];
        entry.self_ms += (elapsed_us - open.children_us) / 1000.0;
        entry.calls += 1.0;
      }
    }
  }
  std::vector<OperatorTime> result;
  for (auto& [name, entry] : by_name) {
    entry.name = name;
    entry.self_ms /= double(steps);
    entry.calls /= double(steps);
    result.push_back(entry);
  }
  std::sort(result.begin(), result.end(), [](const auto& a, const auto& b) { return a.self_ms > b.self_ms; });
  return result;
}

nlohmann::ordered_json profile_json(const StepProfile& profile) {
  nlohmann::ordered_json json{{"steps", profile.steps}, {"step_ms", profile.step_ms}};
  auto& operators = json["operators"] = nlohmann::ordered_json::array();
  for (const auto& op : profile.operators) {
    operators.push_back({{"name", op.name}, {"self_ms", op.self_ms}, {"calls", op.calls}});
  }
  return json;
}

// The profile as profile.md holds it.
std::string profile_markdown(const StepProfile& profile) {
  double total = 0.0;
  for (const auto& op : profile.operators) total += op.self_ms;
  std::string text = fmt::format(
      "# Training step profile\n\n{} steps, {:.2f} ms per step (wall, profiler overhead included). Self time "
      "per step: each operator's time minus the operators it called, on the thread that ran the step.\n\n"
      "| operator | self ms/step | share | calls/step |\n| --- | --- | --- | --- |\n",
      profile.steps, profile.step_ms);
  for (const auto& op : profile.operators) {
    if (op.self_ms < 0.005) continue;
    text += fmt::format("| `{}` | {:.2f} | {:.1f}% | {:g} |\n", op.name, op.self_ms,
                        total > 0.0 ? 100.0 * op.self_ms / total : 0.0, op.calls);
  }
  return text;
}

}  // namespace

StepProfiler::StepProfiler(int64_t steps, std::string run_path, int64_t warmup)
    : steps_(steps), warmup_(warmup), run_path_(std::move(run_path)) {}

StepProfiler::~StepProfiler() {
  try {
    finish();
  } catch (const std::exception& e) {
    spdlog::warn("profile: {}", e.what());
  }
}

void StepProfiler::before_step() {
  if (finished_ || recording_ || seen_ < warmup_) return;
  profiler::enableProfilerLegacy(torch::profiler::impl::ProfilerConfig(torch::profiler::impl::ProfilerState::CPU));
  recording_ = true;
  started_at_ = now_ms();
}

void StepProfiler::after_step() {
  ++seen_;
  if (recording_ && ++recorded_ == steps_) finish();
}

void StepProfiler::finish() {
  if (!recording_ || finished_) return;
  const double elapsed = now_ms() - started_at_;
  const auto threads = profiler::disableProfilerLegacy();
  recording_ = false;
  finished_ = true;
  if (recorded_ == 0) return;
  StepProfile profile{recorded_, elapsed / double(recorded_), operator_times(threads, recorded_)};
  io::write_text_atomically(run_path_ + "/profile.md", profile_markdown(profile));
  io::write_text_atomically(run_path_ + "/profile.json", profile_json(profile).dump(2) + "\n");
  std::string top;
  for (size_t i = 0; i < profile.operators.size() && i < 3; ++i) {
    top += fmt::format("{}{} {:.2f} ms", i ? ", " : "", profile.operators[i].name, profile.operators[i].self_ms);
  }
  spdlog::info("profile: {} steps at {:.2f} ms per step; most self time: {}; {}/profile.md", recorded_,
               profile.step_ms, top, run_path_);
}

}  // namespace dltrain::train
