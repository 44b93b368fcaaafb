// Seeds LibTorch's generators from the run seed; dltrain's own RNGs derive from it explicitly.
#pragma once

#include <cstdint>

namespace dltrain {

void seed_torch(uint64_t seed);

}  // namespace dltrain
