// dltrain::parallel_for: every item once, on more than one thread when LibTorch has them (which
// at::parallel_for does not do in code built without -fopenmp), inline when nested, and a
// share's exception reaches the caller.
#include <catch2/catch.hpp>

#include <ATen/Parallel.h>

#include <atomic>
#include <mutex>
#include <set>
#include <stdexcept>
#include <thread>
#include <vector>

#include "dltrain/core/parallel.h"

namespace {

// Restores LibTorch's intra-op thread count when a test is done with it.
struct IntraOpThreads {
  explicit IntraOpThreads(int count) : saved(at::get_num_threads()) { at::set_num_threads(count); }
  ~IntraOpThreads() { at::set_num_threads(saved); }
  int saved;
};

}  // namespace

TEST_CASE("parallel_for covers each item once, split over the intra-op threads") {
  REQUIRE(dltrain::parallel_for_forks());
  IntraOpThreads two(2);
  std::vector<std::atomic<int>> visits(1000);
  std::mutex mutex;
  std::set<std::thread::id> threads;
  std::set<int> thread_numbers;
  dltrain::parallel_for(0, 1000, 10, [&](int64_t first, int64_t last) {
    for (int64_t i = first; i < last; ++i) ++visits[i];
    std::lock_guard<std::mutex> lock(mutex);
    threads.insert(std::this_thread::get_id());
    thread_numbers.insert(at::get_thread_num());
  });
  for (const auto& count : visits) REQUIRE(count == 1);
  CHECK(threads.size() == 2);
  CHECK(thread_numbers == std::set<int>{0, 1});
}

TEST_CASE("parallel_for runs small ranges, one thread and nested calls inline") {
  IntraOpThreads two(2);
  const auto caller = std::this_thread::get_id();
  auto runs_inline = [&](int64_t begin, int64_t end, int64_t grain) {
    std::atomic<bool> elsewhere{false};
    dltrain::parallel_for(begin, end, grain, [&](int64_t, int64_t) {
      if (std::this_thread::get_id() != caller) elsewhere = true;
    });
    return !elsewhere;
  };
  CHECK(runs_inline(0, 100, 100));  // no more items than the grain
  CHECK(runs_inline(5, 6, 0));
  {
    IntraOpThreads one(1);
    CHECK(runs_inline(0, 1000, 1));
  }
  std::atomic<int> nested_elsewhere{0};
  dltrain::parallel_for(0, 2, 1, [&](int64_t, int64_t) {
    const auto outer = std::this_thread::get_id();
    dltrain::parallel_for(0, 1000, 1, [&](int64_t, int64_t) {
      if (std::this_thread::get_id() != outer) ++nested_elsewhere;
    });
  });
  CHECK(nested_elsewhere == 0);
  int calls = 0;
  dltrain::parallel_for(3, 3, 1, [&](int64_t, int64_t) { ++calls; });
  CHECK(calls == 0);
}

TEST_CASE("parallel_for rethrows the exception a share threw") {
  IntraOpThreads two(2);
  CHECK_THROWS_WITH(dltrain::parallel_for(0, 100, 1,
                                          [](int64_t first, int64_t) {
                                            if (first > 0) throw std::runtime_error("second share failed");
                                          }),
                    "second share failed");
}
