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

// Vectors of 4 (SSE2 on every x86-64, NEON on arm64), 8 (AVX2) or 16 (AVX-512) lanes. GCC takes no
// template-dependent vector_size, so each width is spelled out.
typedef float Floats4 __attribute__((vector_size(16)));
typedef int32_t Ints4 __attribute__((vector_size(16)));
typedef uint8_t Bytes4 __attribute__((vector_size(4)));
typedef float Floats8 __attribute__((vector_size(32)));
typedef int32_t Ints8 __attribute__((vector_size(32)));
typedef uint8_t Bytes8 __attribute__((vector_size(8)));
typedef float Floats16 __attribute__((vector_size(64)));
typedef int32_t Ints16 __attribute__((vector_size(64)));
typedef uint8_t Bytes16 __attribute__((vector_size(16)));

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
template <>
struct Lanes<16> : VectorOps<Floats16, Ints16, Bytes16> {};

// The loops for C channels (a multiple of L), L lanes at a time.
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
    scan_windows(height, width, k, first, second, largest, smallest, positions,
                 [&](int64_t h, int64_t w, Floats* out) {
                   for (int64_t v = 0; v < kVectors; ++v) out[v] = V::load(x + (h * width + w) * C + v * kLanes);
                 });
  }

  // scan_image of a 3x3 convolution's output (padding 1, no bias) over a one-channel image,
  // computed where it is used and never stored; `weight` is [9 taps][C], `padded` room for
  // (height + 2) x (width + 2) floats. Vectors of L channels go one at a time, so that their nine
  // taps stay in registers while every pixel of the image passes.
  static void conv_scan_image(const float* __restrict__ image, int64_t height, int64_t width,
                              const float* __restrict__ weight, const float* __restrict__ k, double* first,
                              double* second, float* __restrict__ largest, float* __restrict__ smallest,
                              uint8_t* __restrict__ positions, float* __restrict__ padded) {
    pad_image(image, height, width, padded);
    const int64_t out_width = width / 2;
    const Ints zero_ints = {};
    for (int64_t v = 0; v < kVectors; ++v) {
      Floats taps[9];
      for (int t = 0; t < 9; ++t) taps[t] = V::load(weight + t * C + v * kLanes);
      const Floats shift = V::load(k + v * kLanes);
      for (int64_t oh = 0; oh < height / 2; ++oh) {
        Floats s = {}, q = {};  // this window row's sums: short enough for floats
        for (int64_t ow = 0; ow < out_width; ++ow) {
          Floats y[4];
          convolve_window(padded + 2 * oh * (width + 2) + 2 * ow, width + 2, taps, y);
          Floats high = y[0], low = y[0];
          Ints high_at = zero_ints, low_at = zero_ints;
          for (int32_t i = 0; i < 4; ++i) {
            const Floats d = y[i] - shift;
            s += d;
            q += d * d;
            const Ints nan = y[i] != y[i];
            const Ints higher = (y[i] > high) | nan, lower = (y[i] < low) | nan;
            high = V::select(higher, y[i], high);
            high_at = V::select(higher, zero_ints + i, high_at);
            low = V::select(lower, y[i], low);
            low_at = V::select(lower, zero_ints + i, low_at);
          }
          const int64_t at = (oh * out_width + ow) * C + v * kLanes;
          V::store(largest + at, high);
          V::store(smallest + at, low);
          V::store_bytes(positions + at, high_at | (low_at << 2));
        }
        for (int64_t l = 0; l < kLanes; ++l) {
          first[v * kLanes + l] += s[l];
          second[v * kLanes + l] += q[l];
        }
      }
    }
  }

  // The image with a border of zeros: the 3x3 patch of every pixel lies inside.
  static void pad_image(const float* __restrict__ image, int64_t height, int64_t width, float* __restrict__ padded) {
    const int64_t row = width + 2;
    for (int64_t i = 0; i < row; ++i) padded[i] = padded[(height + 1) * row + i] = 0.0f;
    for (int64_t h = 0; h < height; ++h) {
      padded[(h + 1) * row] = padded[(h + 1) * row + width + 1] = 0.0f;
      for (int64_t w = 0; w < width; ++w) padded[(h + 1) * row + w + 1] = image[h * width + w];
    }
  }

  // The conv output at a 2x2 window's four pixels (row-major), from the 4x4 block of the padded
  // image whose top-left is `corner`.
  static void convolve_window(const float* __restrict__ corner, int64_t row, const Floats* taps, Floats* y) {
    float block[4][4];
    for (int r = 0; r < 4; ++r)
      for (int c = 0; c < 4; ++c) block[r][c] = corner[r * row + c];
    for (int i = 0; i < 4; ++i) {
      const int dy = i / 2, dx = i % 2;
      Floats sum = {};
      for (int t = 0; t < 9; ++t) sum += block[dy + t / 3][dx + t % 3] * taps[t];
      y[i] = sum;
    }
  }

  // The pass both scans share; pixel(h, w, out) writes the C input values at (h, w).
  template <class Pixel>
  static void scan_windows(int64_t height, int64_t width, const float* __restrict__ k, double* first, double* second,
                           float* __restrict__ largest, float* __restrict__ smallest, uint8_t* __restrict__ positions,
                           const Pixel& pixel) {
    const int64_t out_width = width / 2;
    const Ints zero_ints = {};
    Floats shift[kVectors];
    for (int64_t v = 0; v < kVectors; ++v) shift[v] = V::load(k + v * kLanes);
    for (int64_t oh = 0; oh < height / 2; ++oh) {
      Floats s[kVectors] = {}, q[kVectors] = {};  // this window row's sums: short enough for floats
      for (int64_t ow = 0; ow < out_width; ++ow) {
        Floats values[4][kVectors];
        for (int i = 0; i < 4; ++i) pixel(2 * oh + i / 2, 2 * ow + i % 2, values[i]);
        const int64_t at = (oh * out_width + ow) * C;
        for (int64_t v = 0; v < kVectors; ++v) {
          Floats high = values[0][v], low = high;
          Ints high_at = zero_ints, low_at = zero_ints;
          for (int32_t i = 0; i < 4; ++i) {
            const Floats xi = values[i][v];
            const Floats d = xi - shift[v];
            s[v] += d;
            q[v] += d * d;
            const Ints nan = xi != xi;
            const Ints higher = (xi > high) | nan, lower = (xi < low) | nan;
            high = V::select(higher, xi, high);
            high_at = V::select(higher, zero_ints + i, high_at);
            low = V::select(lower, xi, low);
            low_at = V::select(lower, zero_ints + i, low_at);
          }
          V::store(largest + at + v * kLanes, high);
          V::store(smallest + at + v * kLanes, low);
          V::store_bytes(positions + at + v * kLanes, high_at | (low_at << 2));
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

  // One image's share of the conv weight's gradient, accumulated into weight_grad[9 taps][C]:
  // the norm's input gradient (dy * p + x * q + r, as input_gradient_rows computes it) at every
  // pixel of the recomputed conv output, times that pixel's 3x3 image patch. `padded` as in
  // conv_scan_image.
  static void conv_weight_gradient(const float* __restrict__ image, int64_t height, int64_t width,
                                   const float* __restrict__ weight, const float* __restrict__ grad,
                                   const uint8_t* __restrict__ argmax, const float* __restrict__ p,
                                   const float* __restrict__ q, const float* __restrict__ r,
                                   double* __restrict__ weight_grad, float* __restrict__ padded) {
    pad_image(image, height, width, padded);
    const int64_t out_width = width / 2, row = width + 2;
    const Ints zero_ints = {}, relu_passed = zero_ints + kReluPassed, window_index = zero_ints + kWindowIndex;
    for (int64_t v = 0; v < kVectors; ++v) {
      Floats taps[9];
      for (int t = 0; t < 9; ++t) taps[t] = V::load(weight + t * C + v * kLanes);
      const Floats pv = V::load(p + v * kLanes), qv = V::load(q + v * kLanes), rv = V::load(r + v * kLanes);
      Floats sums[9] = {};
      for (int64_t oh = 0; oh < height / 2; ++oh) {
        for (int64_t ow = 0; ow < out_width; ++ow) {
          const int64_t at = (oh * out_width + ow) * C + v * kLanes;
          const Ints m = V::load_bytes(argmax + at);
          const Floats routed = V::select((m & relu_passed) != 0, V::load(grad + at) * pv, Floats{});
          const Ints winner = m & window_index;
          const float* corner = padded + 2 * oh * row + 2 * ow;
          Floats y[4];
          convolve_window(corner, row, taps, y);
          for (int32_t i = 0; i < 4; ++i) {
            const Floats dy = y[i] * qv + rv + V::select(winner == i, routed, Floats{});
            const float* patch = corner + (i / 2) * row + i % 2;
            for (int t = 0; t < 9; ++t) sums[t] += patch[(t / 3) * row + t % 3] * dy;
          }
        }
        if (oh % 8 == 7 || oh + 1 == height / 2) {  // float sums over at most 8 window rows
          for (int t = 0; t < 9; ++t) {
            for (int64_t l = 0; l < kLanes; ++l) weight_grad[t * C + v * kLanes + l] += sums[t][l];
            sums[t] = Floats{};
          }
        }
      }
    }
  }
};

template <int64_t C, int L>
const NormPoolReluKernels* kernels_of_width() {
  static const NormPoolReluKernels kernels{&Loops<C, L>::scan_image,          &Loops<C, L>::pool_from_extremes,
                                           &Loops<C, L>::add_gradient_sums,   &Loops<C, L>::input_gradient_rows,
                                           &Loops<C, L>::conv_scan_image,     &Loops<C, L>::conv_weight_gradient};
  return &kernels;
}

// The kernels for `channels` channels, L lanes wide: each channel count has its own
// instantiation, so the per-channel loops have a fixed length that fills whole vectors.
template <int L>
const NormPoolReluKernels* kernels_for_channels(int64_t channels) {
  if (channels % L != 0) return nullptr;  // a vector never straddles two pixels
  switch (channels) {
    case 8:
      if constexpr (L <= 8) return kernels_of_width<8, L>();
      return nullptr;
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
