#include "dltrain/core/process_clock.h"

#include <unistd.h>

#include <fstream>
#include <limits>
#include <sstream>
#include <string>

namespace dltrain {

double seconds_since_process_start() {
  // /proc/self/stat: field 22 is the start time in clock ticks after boot; fields from 3 on
  // follow the ")" that closes the command name (which may itself hold spaces).
  std::ifstream stat("/proc/self/stat");
  std::ifstream uptime_file("/proc/uptime");
  std::string text((std::istreambuf_iterator<char>(stat)), std::istreambuf_iterator<char>());
  double uptime = 0.0;
  const auto close = text.rfind(')');
  if (close == std::string::npos || !(uptime_file >> uptime)) return std::numeric_limits<double>::quiet_NaN();
  std::istringstream fields(text.substr(close + 1));
  std::string field;
  for (int i = 3; i <= 22 && fields >> field; ++i) {
    if (i == 22) return uptime - std::stod(field) / static_cast<double>(sysconf(_SC_CLK_TCK));
  }
  return std::numeric_limits<double>::quiet_NaN();
}

}  // namespace dltrain
