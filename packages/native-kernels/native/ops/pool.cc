#include "pool.h"

#include <algorithm>
#include <limits>

namespace xk {
namespace {

constexpr float kLowest = -std::numeric_limits<float>::infinity();

/** The window of output (oy, ox) clipped to the image: rows [y0, y1), columns [x0, x1), stepping by the dilation. */
struct Window {
  int64_t y0, y1, x0, x1;
};

Window window(const PoolGeometry& g, int64_t oy, int64_t ox) {
  const int64_t top = oy * g.sh - g.pad_top;
  const int64_t left = ox * g.sw - g.pad_left;
  int64_t y0 = top;
  while (y0 < 0) y0 += g.dh;
  int64_t x0 = left;
  while (x0 < 0) x0 += g.dw;
  return {y0, std::min(g.ih, top + g.kh), x0, std::min(g.iw, left + g.kw)};
}

}  // namespace

// Both loops visit a window's pixels in row-major order and keep a maximum only when a later one is
// strictly greater: tfjs' rule that the first maximum wins.

void max_pool(const PoolGeometry& g, const float* x, float* y) {
  const int64_t image = g.ih * g.iw * g.c;
  const int64_t out_image = g.oh * g.ow * g.c;
#pragma omp parallel for collapse(2) schedule(static)
  for (int64_t b = 0; b < g.n; ++b) {
    for (int64_t oy = 0; oy < g.oh; ++oy) {
      const float* img = x + b * image;
      for (int64_t ox = 0; ox < g.ow; ++ox) {
        float* out = y + b * out_image + (oy * g.ow + ox) * g.c;
        // Pixels outermost, channels innermost: each step is a vector compare across channels.
        std::fill(out, out + g.c, kLowest);
        const Window w = window(g, oy, ox);
        for (int64_t iy = w.y0; iy < w.y1; iy += g.dh) {
          for (int64_t ix = w.x0; ix < w.x1; ix += g.dw) {
            const float* p = img + (iy * g.iw + ix) * g.c;
#pragma omp simd
            for (int64_t ch = 0; ch < g.c; ++ch) out[ch] = p[ch] > out[ch] ? p[ch] : out[ch];
          }
        }
      }
    }
  }
}

void max_pool_grad(const PoolGeometry& g, const float* x, const float* dy, float* dx) {
  const int64_t image = g.ih * g.iw * g.c;
  const int64_t out_image = g.oh * g.ow * g.c;
  // Windows overlap within an image, so each thread owns whole images. Channel by channel here:
  // a vector compare-and-select of positions across channels measured 3-5x slower than this scan.
#pragma omp parallel for schedule(static)
  for (int64_t b = 0; b < g.n; ++b) {
    const float* img = x + b * image;
    float* grad = dx + b * image;
    std::fill(grad, grad + image, 0.f);
    for (int64_t oy = 0; oy < g.oh; ++oy) {
      for (int64_t ox = 0; ox < g.ow; ++ox) {
        const Window w = window(g, oy, ox);
        const float* d = dy + b * out_image + (oy * g.ow + ox) * g.c;
        for (int64_t ch = 0; ch < g.c; ++ch) {
          float best = kLowest;
          int64_t at = -1;
          for (int64_t iy = w.y0; iy < w.y1; iy += g.dh) {
            for (int64_t ix = w.x0; ix < w.x1; ix += g.dw) {
              const int64_t i = (iy * g.iw + ix) * g.c + ch;
              if (img[i] > best) {
                best = img[i];
                at = i;
              }
            }
          }
          if (at >= 0) grad[at] += d[ch];
        }
      }
    }
  }
}

}  // namespace xk
