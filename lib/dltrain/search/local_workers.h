// `--workers N`: the same worker in N local processes sharing the study file.
#pragma once

#include <functional>

namespace dltrain::search {

// Forks n - 1 children that each run `worker` and exit with its code (errors printed as one
// line), runs it here too, then waits for them. Returns the first nonzero exit code, else 0.
// Fork before LibTorch starts threads: nothing here may have run a model yet.
int run_local_workers(int n, const std::function<int()>& worker);

}  // namespace dltrain::search
