// dltrain's own kernels split work over LibTorch's intra-op threads through this, not through
// at::parallel_for.
//
// at::parallel_for is a header template. With an OpenMP LibTorch (Debian's, and the upstream
// CPU and CUDA builds) it forks threads only where its `#pragma omp parallel` is compiled, that
// is in code built with -fopenmp; anywhere else it silently runs the whole range on the calling
// thread. dltrain is built without -fopenmp on purpose: clang's OpenMP runtime is libomp, a
// second thread pool beside LibTorch's libgomp, and the two would oversubscribe the cores. So
// this forks LibTorch's own pool through libgomp's entry point, GOMP_parallel (the call GCC
// emits for the pragma), found at run time. Builds of LibTorch on another threading backend
// compile at::parallel_for's threading into LibTorch itself, and get at::parallel_for here.
#pragma once

#if __has_include(<c10/util/C++17.h>)
#include <c10/util/C++17.h>  // LibTorch 1.13's FunctionRef.h uses it without including it
#endif
#include <c10/util/FunctionRef.h>

#include <cstdint>

namespace dltrain {

// body(first, last) over contiguous shares of [begin, end), one per intra-op thread, as
// at::parallel_for splits them: in parallel when the range holds more than `grain` items and
// the caller is not itself inside a parallel region. The first exception thrown by a share is
// rethrown here.
void parallel_for(int64_t begin, int64_t end, int64_t grain, c10::function_ref<void(int64_t, int64_t)> body);

// Whether parallel_for can fork threads in this process (false: it runs every range inline).
bool parallel_for_forks();

}  // namespace dltrain
