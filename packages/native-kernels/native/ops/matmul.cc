#include "matmul.h"

#include <algorithm>
#include <memory>
#include <string>

#include "engine.h"

namespace xk {
namespace {

using dnnl::memory;
constexpr auto f32 = memory::data_type::f32;

/** A [batch, rows, cols] operand stored row-major, or its transpose stored row-major. */
memory::desc operand(int64_t batch, int64_t rows, int64_t cols, bool transposed) {
  if (!transposed) return memory::desc({batch, rows, cols}, f32, {rows * cols, cols, 1});
  return memory::desc({batch, rows, cols}, f32, {rows * cols, 1, rows});
}

struct MatMul {
  dnnl::matmul::primitive_desc pd;
  dnnl::matmul prim;
  explicit MatMul(const MatMulShape& s)
      : pd(dnnl::matmul::desc(operand(s.batch_a, s.m, s.k, s.transpose_a), operand(s.batch_b, s.k, s.n, s.transpose_b),
                              operand(std::max(s.batch_a, s.batch_b), s.m, s.n, false)),
           cpu_engine()),
        prim(pd) {}
  static CachedPrimitive describe(const void* p) { return {"matmul", "", static_cast<const MatMul*>(p)->pd.impl_info_str()}; }
};

}  // namespace

void batch_matmul(const MatMulShape& s, const float* a, const float* b, float* out) {
  std::string key = "matmul";
  for (int64_t v : {s.batch_a, s.batch_b, s.m, s.k, s.n, int64_t{s.transpose_a}, int64_t{s.transpose_b}}) key += "," + std::to_string(v);
  auto& op = primitive_cache().get<MatMul>(key, [&] { return std::make_unique<MatMul>(s); });
  auto& e = cpu_engine();
  op.prim.execute(cpu_stream(), {{DNNL_ARG_SRC, memory(op.pd.src_desc(), e, const_cast<float*>(a))},
                                 {DNNL_ARG_WEIGHTS, memory(op.pd.weights_desc(), e, const_cast<float*>(b))},
                                 {DNNL_ARG_DST, memory(op.pd.dst_desc(), e, out)}});
  cpu_stream().wait();
}

}  // namespace xk
