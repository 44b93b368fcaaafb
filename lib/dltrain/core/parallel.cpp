#include "dltrain/core/parallel.h"

#include <ATen/Config.h>
#include <ATen/Parallel.h>
#include <dlfcn.h>

#include <algorithm>
#include <atomic>
#include <exception>

namespace dltrain {

#if AT_PARALLEL_OPENMP && !defined(_OPENMP)
namespace {

// The libgomp functions GCC's code calls for `#pragma omp parallel`; libgomp is loaded with
// LibTorch, so they are looked up, not linked.
struct GnuOpenMp {
  void (*parallel)(void (*)(void*), void*, unsigned, unsigned) = nullptr;
  int (*thread_num)() = nullptr;
  int (*num_threads)() = nullptr;
  bool found() const { return parallel && thread_num && num_threads; }
};

const GnuOpenMp& gnu_openmp() {
  static const GnuOpenMp openmp = [] {
    GnuOpenMp found;
    found.parallel = reinterpret_cast<decltype(found.parallel)>(dlsym(RTLD_DEFAULT, "GOMP_parallel"));
    found.thread_num = reinterpret_cast<decltype(found.thread_num)>(dlsym(RTLD_DEFAULT, "omp_get_thread_num"));
    found.num_threads = reinterpret_cast<decltype(found.num_threads)>(dlsym(RTLD_DEFAULT, "omp_get_num_threads"));
    return found;
  }();
  return openmp;
}

struct Team {
  Team(int64_t begin, int64_t end, int64_t grain, c10::function_ref<void(int64_t, int64_t)> body,
       const GnuOpenMp& openmp)
      : begin(begin), end(end), grain(grain), body(body), openmp(openmp) {}
  int64_t begin, end, grain;
  c10::function_ref<void(int64_t, int64_t)> body;
  const GnuOpenMp& openmp;
  std::atomic_flag failed = ATOMIC_FLAG_INIT;
  std::exception_ptr error;
};

int64_t divide_up(int64_t a, int64_t b) { return (a + b - 1) / b; }

// What each thread of the team runs: its share of the range, as at::internal::invoke_parallel
// computes it.
void run_share(void* data) {
  auto& team = *static_cast<Team*>(data);
  const int64_t length = team.end - team.begin;
  int64_t threads = team.openmp.num_threads();
  if (team.grain > 0) threads = std::min(threads, divide_up(length, team.grain));
  const int64_t thread = team.openmp.thread_num();
  const int64_t share = divide_up(length, threads);
  const int64_t first = team.begin + thread * share;
  if (first >= team.end) return;
  try {
    at::internal::ThreadIdGuard thread_id(static_cast<int>(thread));  // at::get_thread_num() inside
    team.body(first, std::min(team.end, first + share));
  } catch (...) {
    if (!team.failed.test_and_set()) team.error = std::current_exception();
  }
}

}  // namespace

void parallel_for(int64_t begin, int64_t end, int64_t grain, c10::function_ref<void(int64_t, int64_t)> body) {
  if (begin >= end) return;
  at::internal::lazy_init_num_threads();  // this thread's team size, as at::parallel_for sets it
  const GnuOpenMp& openmp = gnu_openmp();
  const int64_t length = end - begin;
  if (!openmp.found() || length <= grain || length == 1 || at::in_parallel_region() || at::get_num_threads() <= 1) {
    body(begin, end);
    return;
  }
  Team team(begin, end, grain, body, openmp);
  openmp.parallel(&run_share, &team, /*num_threads: the team size set above*/ 0, /*flags*/ 0);
  if (team.error) std::rethrow_exception(team.error);
}

bool parallel_for_forks() { return gnu_openmp().found(); }

#else  // at::parallel_for forks threads here: LibTorch's own code does it, or this is built with OpenMP.

void parallel_for(int64_t begin, int64_t end, int64_t grain, c10::function_ref<void(int64_t, int64_t)> body) {
  if (begin >= end) return;
  at::parallel_for(begin, end, grain, [&](int64_t first, int64_t last) { body(first, last); });
}

bool parallel_for_forks() { return true; }

#endif

}  // namespace dltrain
