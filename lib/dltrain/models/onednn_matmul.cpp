#include "dltrain/models/onednn_matmul.h"

#if DLTRAIN_HAS_ONEDNN
#include <ATen/record_function.h>

#include <array>
#include <tuple>
#include <unordered_map>
#include <vector>

#include "dltrain/models/onednn_support.h"
#endif

namespace dltrain::models {

#if DLTRAIN_HAS_ONEDNN
namespace {

using dnnl::memory;

// What a matmul primitive is built for: [rows x inner] by [inner x columns], each operand's
// strides, and whether a bias is added.
struct ProductShape {
  std::array<int64_t, 3> sizes;    // rows, inner, columns
  std::array<int64_t, 6> strides;  // left, right, out: row then column stride
  bool bias;
  bool operator<(const ProductShape& other) const {
    return std::tie(sizes, strides, bias) < std::tie(other.sizes, other.strides, other.bias);
  }
};

struct ProductPrimitives {
  explicit ProductPrimitives(const ProductShape& s) {
    const auto& [rows, inner, columns] = s.sizes;
    const auto& st = s.strides;
    left = memory::desc({rows, inner}, memory::data_type::f32, {st[0], st[1]});
    right = memory::desc({inner, columns}, memory::data_type::f32, {st[2], st[3]});
    out = memory::desc({rows, columns}, memory::data_type::f32, {st[4], st[5]});
    if (s.bias) bias = memory::desc({1, columns}, memory::data_type::f32, memory::format_tag::ab);
    try {
      product = dnnl::matmul(dnnl::matmul::primitive_desc(dnnl::matmul::desc(left, right, bias, out),
                                                          onednn::cpu_engine()));
    } catch (const dnnl::error&) {
      // No kernel for these strides: the caller's BLAS path runs instead.
    }
  }
  memory::desc left, right, out, bias;
  dnnl::matmul product;  // empty where oneDNN has no kernel
};

bool float32_cpu_matrix(const torch::Tensor& t) {
  return t.defined() && t.dim() == 2 && t.device().is_cpu() && t.scalar_type() == torch::kFloat32 && t.numel() > 0;
}

}  // namespace

bool onednn_matmul(const torch::Tensor& out, const torch::Tensor& left, const torch::Tensor& right,
                   const torch::Tensor& bias) {
  if (!float32_cpu_matrix(out) || !float32_cpu_matrix(left) || !float32_cpu_matrix(right) || !out.is_contiguous())
    return false;
  if (left.size(1) != right.size(0) || out.size(0) != left.size(0) || out.size(1) != right.size(1)) return false;
  const bool has_bias = bias.defined();
  if (has_bias && (bias.dim() != 1 || bias.size(0) != out.size(1) || !bias.is_contiguous() || !bias.device().is_cpu() ||
                   bias.scalar_type() != torch::kFloat32))
    return false;
  const ProductShape shape{{left.size(0), left.size(1), right.size(1)},
                           {left.stride(0), left.stride(1), right.stride(0), right.stride(1), out.stride(0),
                            out.stride(1)},
                           has_bias};
  RECORD_FUNCTION("dltrain::onednn_matmul", std::vector<c10::IValue>());  // named in train.profile_steps
  const auto primitives = onednn::primitives_for<ProductShape, ProductPrimitives>(shape);
  if (!primitives->product) return false;
  dnnl::stream stream(onednn::cpu_engine());
  std::unordered_map<int, memory> args{{DNNL_ARG_SRC, onednn::wrap(primitives->left, left)},
                                       {DNNL_ARG_WEIGHTS, onednn::wrap(primitives->right, right)},
                                       {DNNL_ARG_DST, onednn::wrap(primitives->out, out)}};
  if (has_bias) args.emplace(DNNL_ARG_BIAS, onednn::wrap(primitives->bias, bias));
  primitives->product.execute(stream, args);
  stream.wait();
  return true;
}

#else  // no oneDNN in this build: the caller's BLAS path runs

bool onednn_matmul(const torch::Tensor& /*out*/, const torch::Tensor& /*left*/, const torch::Tensor& /*right*/,
                   const torch::Tensor& /*bias*/) {
  return false;
}

#endif

}  // namespace dltrain::models
