// Seconds since this process started (exec included, read from /proc), so that start-up cost --
// loading libraries, reading data, building the model -- can be reported, not only loop times.
#pragma once

namespace dltrain {

// NaN where /proc is not readable.
double seconds_since_process_start();

}  // namespace dltrain
