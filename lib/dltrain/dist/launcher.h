// The local launcher behind `dltrain run --nproc-per-node N`: starts N copies of this binary as
// ranks 0..N-1 of one job (the torchrun environment variables set), prefixes each worker's
// log lines with its rank, forwards SIGINT/SIGTERM, and on the first worker failure stops the
// others and reports which rank failed. No worker outlives it.
#pragma once

#include <string>
#include <vector>

namespace dltrain::dist {

struct LaunchOptions {
  int workers = 2;
  std::string program = "/proc/self/exe";  // the binary each worker runs
  std::vector<std::string> arguments;       // after the program name
  std::string master_addr = "127.0.0.1";
  int master_port = 0;          // 0: a free port on this machine
  double grace_seconds = 10.0;  // between SIGTERM and SIGKILL when stopping the others
};

// Runs the workers to the end. Returns 0 when all succeeded, or the interrupt exit code
// (130/143) when a signal stopped them (checkpoint written). Otherwise throws an Error naming
// the first worker that failed, with that worker's exit code when it is 2, 3 or 4 (a config,
// data or divergence error every rank meets alike), else 1.
int launch_local_workers(const LaunchOptions& options);

// A TCP port on this machine that was free a moment ago (bound to port 0 and released).
int free_local_port();

}  // namespace dltrain::dist
