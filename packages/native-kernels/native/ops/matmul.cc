#include "matmul.h"

#include <algorithm>
#include <memory>
#include <string>

#include "engine.h"

namespace xk {
namespace {

using dnnl::memory;
using dt = memory::data_type;
constexpr auto f32 = dt::f32;

/** A [batch, rows, cols] operand stored row-major, or its transpose stored row-major. */
memory::desc operand(int64_t batch, int64_t rows, int64_t cols, bool transposed, dt type = f32) {
  if (!transposed) return memory::desc({batch, rows, cols}, type, {rows * cols, cols, 1});
  return memory::desc({batch, rows, cols}, type, {rows * cols, 1, rows});
}

/** Reads a and b in `type` (float32 or bf16) and writes float32. */
dnnl::matmul::primitive_desc matmul_pd(const MatMulShape& s, dt type) {
  return {dnnl::matmul::desc(operand(s.batch_a, s.m, s.k, s.transpose_a, type), operand(s.batch_b, s.k, s.n, s.transpose_b, type),
                             operand(std::max(s.batch_a, s.batch_b), s.m, s.n, false)),
          cpu_engine()};
}

struct MatMul {
  dnnl::matmul::primitive_desc pd;
  dnnl::matmul prim;
  InputBridge a;
  InputBridge b;
  MatMul(const MatMulShape& s, dt type)
      : pd(matmul_pd(s, type)), prim(pd), a(operand(s.batch_a, s.m, s.k, s.transpose_a), pd.src_desc(), 0),
        b(operand(s.batch_b, s.k, s.n, s.transpose_b), pd.weights_desc(), 1) {}
  static CachedPrimitive describe(const void* p) { return {"matmul", "", static_cast<const MatMul*>(p)->pd.impl_info_str()}; }
};

}  // namespace

void batch_matmul(const MatMulShape& s, const float* a, const float* b, float* out) {
  const dt type = compute_type();
  std::string key = type == f32 ? "matmul,f32" : "matmul,bf16";
  for (int64_t v : {s.batch_a, s.batch_b, s.m, s.k, s.n, int64_t{s.transpose_a}, int64_t{s.transpose_b}}) key += "," + std::to_string(v);
  auto& op = primitive_cache().get<MatMul>(key, [&] { return make_in<MatMul>(type, s); });
  op.prim.execute(cpu_stream(), {{DNNL_ARG_SRC, op.a.in(a)},
                                 {DNNL_ARG_WEIGHTS, op.b.in(b)},
                                 {DNNL_ARG_DST, memory(op.pd.dst_desc(), cpu_engine(), out)}});
  cpu_stream().wait();
}

}  // namespace xk
