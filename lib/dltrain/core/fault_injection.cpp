// Parsed once; counters are per point. Signals are raised synchronously, so a SIGKILL lands
// exactly at the point and a SIGINT/SIGTERM goes through the normal interrupt path.
#include "dltrain/core/fault_injection.h"

#include <csignal>
#include <cstdlib>
#include <map>
#include <sstream>
#include <string>
#include <vector>

namespace dltrain {
namespace {

struct Fault {
  std::string point;
  long hit = 0;
  int signal = SIGKILL;
};

int signal_number(const std::string& name) {
  if (name == "SIGINT") return SIGINT;
  if (name == "SIGTERM") return SIGTERM;
  return SIGKILL;
}

// DLTRAIN_FAULT_RANK=r limits the faults to the distributed rank r (RANK=r).
bool this_rank_is_targeted() {
  const char* target = std::getenv("DLTRAIN_FAULT_RANK");
  if (!target) return true;
  const char* rank = std::getenv("RANK");
  return std::string(target) == (rank ? rank : "0");
}

std::vector<Fault> parse_faults() {
  std::vector<Fault> faults;
  const char* text = std::getenv("DLTRAIN_FAULT_AT");
  if (!text || !this_rank_is_targeted()) return faults;
  std::stringstream entries(text);
  std::string entry;
  while (std::getline(entries, entry, ',')) {
    std::stringstream fields(entry);
    std::string point, hit, signal;
    std::getline(fields, point, ':');
    std::getline(fields, hit, ':');
    std::getline(fields, signal, ':');
    if (!point.empty() && !hit.empty()) faults.push_back({point, std::atol(hit.c_str()), signal_number(signal)});
  }
  return faults;
}

}  // namespace

void fault_point(const char* point) {
  static const std::vector<Fault> faults = parse_faults();
  if (faults.empty()) return;
  static std::map<std::string, long> hits;
  const long hit = ++hits[point];
  for (const auto& fault : faults) {
    if (fault.point == point && fault.hit == hit) std::raise(fault.signal);
  }
}

}  // namespace dltrain
