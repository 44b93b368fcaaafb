// Local worker processes; see local_workers.h.
#include "dltrain/search/local_workers.h"

#include <sys/wait.h>
#include <unistd.h>

#include <cstdio>
#include <vector>

#include "dltrain/core/error.h"

namespace dltrain::search {
namespace {

int worker_exit_code(const std::function<int()>& worker) {
  try {
    return worker();
  } catch (const Error& e) {
    const bool interrupted = e.code() == ExitCode::interrupted_int || e.code() == ExitCode::interrupted_term;
    std::fprintf(stderr, "%s%s\n", interrupted ? "" : "error: ", e.what());
    return static_cast<int>(e.code());
  } catch (const std::exception& e) {
    std::fprintf(stderr, "error: %s\n", e.what());
    return static_cast<int>(ExitCode::internal);
  }
}

int wait_for(const std::vector<pid_t>& children) {
  int first = 0;
  for (const pid_t child : children) {
    int status = 0;
    while (waitpid(child, &status, 0) < 0 && errno == EINTR) {
    }
    const int code = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
    if (first == 0) first = code;
  }
  return first;
}

}  // namespace

int run_local_workers(int n, const std::function<int()>& worker) {
  std::vector<pid_t> children;
  std::fflush(nullptr);  // buffered output must not be written twice
  for (int i = 1; i < n; ++i) {
    const pid_t pid = fork();
    if (pid < 0) {
      wait_for(children);
      throw InternalError("cannot start a worker process (fork failed)");
    }
    if (pid == 0) {
      const int code = worker_exit_code(worker);
      std::fflush(nullptr);
      _exit(code);
    }
    children.push_back(pid);
  }
  int code = 0;
  try {
    code = worker();
  } catch (...) {
    wait_for(children);
    throw;
  }
  const int others = wait_for(children);
  return code != 0 ? code : others;
}

}  // namespace dltrain::search
