// The loops of norm_pool_relu, written once over a vector width L. Included only by the
// norm_pool_relu_kernels*.cpp files, each compiled for one instruction set: everything here has
// internal linkage, so no copy built for one CPU can stand in for another's, and nothing here
// includes LibTorch (whose inline functions would otherwise be compiled for the wider set).
#pragma once

#include <cstdint>

#include "dltrain/models/norm_pool_relu_kernels.h"

namespace dltrain::models {
namespace {

// Pixels per float partial sum: short enough that it stays exact to about 1e-6 before the
// partials are added up in double.
constexpr int64_t kPixelsPerBlock = 256;

// Argmax byte of a pooled value: which of the window's four inputs (row-major) won, and whether
// the ReLU after the pool let its gradient through.
constexpr uint8_t kWindowIndex = 3;
constexpr uint8_t kReluPassed = 4;

// Vectors of 4 (SSE2 on every x86-64, NEON on arm64) or 8 (AVX2) lanes. GCC takes no
// template-dependent vector_size, so each width is spelled out.
typedef float Floats4 __attribute__((vector_size(16)));
typedef int32_t Ints4 __attribute__((vector_size(16)));
typedef uint8_t Bytes4 __attribute__((vector_size(4)));
typedef float Floats8 __attribute__((vector_size(32)));
typedef int32_t Ints8 __attribute__((vector_size(32)));
typedef uint8_t Bytes8 __attribute__((vector_size(8)));

template <class FloatVector, class IntVector, class ByteVector>
struct VectorOps {
  using Floats = FloatVector;
  using Ints = IntVector;
  using Bytes = ByteVector;

  // Through memcpy: unaligned, whatever the vector type's own alignment.
  static Floats load(const float* p) {
    Floats v;
    __builtin_memcpy(&v, p, sizeof v);
    return v;
  }
  static void store(float* p, Floats v) { __builtin_memcpy(p, &v, sizeof v); }
  static Ints load_bytes(const uint8_t* p) {
    Bytes v;
    __builtin_memcpy(&v, p, sizeof v);
    return __builtin_convertvector(v, Ints);
  }
  static void store_bytes(uint8_t* p, Ints v) {
    const Bytes bytes = __builtin_convertvector(v, Bytes);
    __builtin_memcpy(p, &bytes, sizeof bytes);
  }
  static Floats select(Ints mask, Floats yes, Floats no) { return (Floats)((mask & (Ints)yes) | (~mask & (Ints)no)); }
  static Ints select(Ints mask, Ints yes, Ints no) { return (mask & yes) | (~mask & no); }
};

template <int L>
struct Lanes;
template <>
struct Lanes<4> : VectorOps<Floats4, Ints4, Bytes4> {};
template <>
struct Lanes<8> : VectorOps<Floats8, Ints8, Bytes8> {};

// The four loops for C channels (a multiple of L), L lanes at a time.
template <int64_t C, int L>
struct Loops {
  using V = Lanes<L>;
  using Floats = typename V::Floats;
  using Ints = typename V::Ints;
  static constexpr int64_t kLanes = L;
  static constexpr int64_t kVectors = C / L;

  // One image's only pass over its input. Per channel: the sums of (x - k) and (x - k)^2, shifted
  // by one of the channel's own values so that E[x^2] - E[x]^2 does not cancel. Per 2x2 window: its
  // largest and smallest input and their positions (a NaN wins both, as in max_pool2d), packed as
  // largest | smallest << 2. The norm is x * scale + shift, monotonic in x, so its max over a
  // window is the norm of the largest input where scale > 0 and of the smallest elsewhere; the pool
  // then needs only these quarter-size maps, not a second pass over the input.
  static void scan_image(const float* __restrict__ x, int64_t height, int64_t width, const float* __restrict__ k,
                         double* first, double* second, float* __restrict__ largest, float* __restrict__ smallest,
                         uint8_t* __restrict__ positions) {
    const int64_t out_width = width / 2;
    const Ints zero_ints = {};
    for (int64_t oh = 0; oh < height / 2; ++oh) {
      const float* top = x + 2 * oh * width * C;
      const float* bottom = top + width * C;
      Floats s[kVectors] = {}, q[kVectors] = {};  // this window row's sums: short enough for floats
      for (int64_t ow = 0; ow < out_width; ++ow) {
        const float* window[4] = {top + 2 * ow * C, top + (2 * ow + 1) * C, bottom + 2 * ow * C,
                                  bottom + (2 * ow + 1) * C};
        const int64_t at = (oh * out_width + ow) * C;
        for (int64_t v = 0; v < kVectors; ++v) {
          const int64_t c = v * kLanes;
          const Floats shift = V::load(k + c);
          Floats high = V::load(window[0] + c), low = high;
          Ints high_at = zero_ints, low_at = zero_ints;
          Floats d = high - shift;
          s[v] += d;
          q[v] += d * d;
          for (int32_t i = 1; i < 4; ++i) {
            const Floats xi = V::load(window[i] + c);
            d = xi - shift;
            s[v] += d;
            q[v] += d * d;
            const Ints nan = xi != xi;
            const Ints higher = (xi > high) | nan, lower = (xi < low) | nan;
            high = V::select(higher, xi, high);
            high_at = V::select(higher, zero_ints + i, high_at);
            low = V::select(lower, xi, low);
            low_at = V::select(lower, zero_ints + i, low_at);
          }
          V::store(largest + at + c, high);
          V::store(smallest + at + c, low);
          V::store_bytes(positions + at + c, high_at | (low_at << 2));
        }
      }
      for (int64_t c = 0; c < C; ++c) {
        first[c] += s[c / kLanes][c % kLanes];
        second[c] += q[c / kLanes][c % kLanes];
      }
    }
  }

  // `count` pooled values from scan_image's maps: the norm of each window's max (see there), then
  // the ReLU, which keeps a NaN. In place, `largest` becomes the input at the max and `positions`
  // the argmax byte for the backward.
  static void pool_from_extremes(float* __restrict__ largest, const float* __restrict__ smallest,
                                 uint8_t* __restrict__ positions, int64_t count, const float* __restrict__ scale,
                                 const float* __restrict__ shift, float* __restrict__ out) {
    const Ints zero_ints = {}, relu_passed = zero_ints + kReluPassed, window_index = zero_ints + kWindowIndex;
    const Floats zero = {};
    for (int64_t p = 0; p < count; ++p) {
      for (int64_t c = 0; c < C; c += kLanes) {
        const int64_t at = p * C + c;
        const Floats a = V::load(scale + c);
        const Ints rising = a > zero;
        const Floats x_max = V::select(rising, V::load(largest + at), V::load(smallest + at));
        const Floats best = x_max * a + V::load(shift + c);
        const Ints packed = V::load_bytes(positions + at);
        const Ints at_max = V::select(rising, packed & window_index, (packed >> 2) & window_index);
        const Ints passed = best > zero;
        V::store(out + at, V::select(passed | (best != best), best, zero));
        V::store(largest + at, x_max);
        V::store_bytes(positions + at, at_max | (passed & relu_passed));
      }
    }
  }

  // sum_dy[c] += the gradient reaching the norm's output, sum_dy_xmu[c] += it times (x - mean), over
  // `outputs` pooled values: only a window's argmax gets one, and only where the ReLU passed.
  static void add_gradient_sums(const float* __restrict__ grad, const float* __restrict__ x_at_max,
                                const uint8_t* __restrict__ argmax, int64_t outputs, const float* __restrict__ mean,
                                double* sum_dy, double* sum_dy_xmu) {
    const Ints zero_ints = {}, relu_passed = zero_ints + kReluPassed;
    for (int64_t start = 0; start < outputs; start += kPixelsPerBlock) {
      const int64_t end = (outputs < start + kPixelsPerBlock ? outputs : start + kPixelsPerBlock);
      Floats s[kVectors] = {}, t[kVectors] = {};
      for (int64_t p = start; p < end; ++p) {
        for (int64_t v = 0; v < kVectors; ++v) {
          const int64_t at = p * C + v * kLanes;
          const Floats dy = V::select((V::load_bytes(argmax + at) & relu_passed) != 0, V::load(grad + at), Floats{});
          s[v] += dy;
          t[v] += dy * (V::load(x_at_max + at) - V::load(mean + v * kLanes));
        }
      }
      for (int64_t c = 0; c < C; ++c) {
        sum_dy[c] += s[c / kLanes][c % kLanes];
        sum_dy_xmu[c] += t[c / kLanes][c % kLanes];
      }
    }
  }

  // The input gradient of two input rows: dx = dy * p + x * q + r per channel, where dy is the
  // pooled gradient at each window's argmax (if the ReLU passed it) and zero elsewhere.
  static void input_gradient_rows(const float* __restrict__ x_top, float* __restrict__ dx_top, int64_t width,
                                  int64_t out_width, const float* __restrict__ grad, const uint8_t* __restrict__ argmax,
                                  const float* __restrict__ p, const float* __restrict__ q,
                                  const float* __restrict__ r) {
    const Ints zero_ints = {}, relu_passed = zero_ints + kReluPassed, window_index = zero_ints + kWindowIndex;
    for (int64_t ow = 0; ow < out_width; ++ow) {
      const int64_t offsets[4] = {2 * ow * C, (2 * ow + 1) * C, (width + 2 * ow) * C, (width + 2 * ow + 1) * C};
      for (int64_t c = 0; c < C; c += kLanes) {
        const Ints m = V::load_bytes(argmax + ow * C + c);
        const Floats routed = V::select((m & relu_passed) != 0, V::load(grad + ow * C + c) * V::load(p + c), Floats{});
        const Ints winner = m & window_index;
        const Floats qc = V::load(q + c), rc = V::load(r + c);
        for (int32_t k = 0; k < 4; ++k) {
          const int64_t at = offsets[k] + c;
          V::store(dx_top + at, V::load(x_top + at) * qc + rc + V::select(winner == k, routed, Floats{}));
        }
      }
    }
  }
};

template <int64_t C, int L>
const NormPoolReluKernels* kernels_of_width() {
  static const NormPoolReluKernels kernels{&Loops<C, L>::scan_image, &Loops<C, L>::pool_from_extremes,
                                           &Loops<C, L>::add_gradient_sums, &Loops<C, L>::input_gradient_rows};
  return &kernels;
}

// The kernels for `channels` channels, L lanes wide: each channel count has its own
// instantiation, so the per-channel loops have a fixed length that fills whole vectors.
template <int L>
const NormPoolReluKernels* kernels_for_channels(int64_t channels) {
  switch (channels) {
    case 8: return kernels_of_width<8, L>();
    case 16: return kernels_of_width<16, L>();
    case 32: return kernels_of_width<32, L>();
    case 64: return kernels_of_width<64, L>();
    case 128: return kernels_of_width<128, L>();
    case 256: return kernels_of_width<256, L>();
    default: return nullptr;
  }
}

}  // namespace
}  // namespace dltrain::models
