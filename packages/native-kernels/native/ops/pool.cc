#include "pool.h"

#include <algorithm>
#include <limits>

namespace xk {
namespace {

/** Index into x of the window's first maximum for channel ch, or -1 if the window is all padding. */
inline int64_t argmax(const PoolGeometry& g, const float* img, int64_t oy, int64_t ox, int64_t ch) {
  const int64_t y0 = oy * g.sh - g.pad_top;
  const int64_t x0 = ox * g.sw - g.pad_left;
  int64_t ys = y0;
  while (ys < 0) ys += g.dh;
  int64_t xs = x0;
  while (xs < 0) xs += g.dw;
  const int64_t ye = std::min(g.ih, y0 + g.kh);
  const int64_t xe = std::min(g.iw, x0 + g.kw);
  float best = -std::numeric_limits<float>::infinity();
  int64_t at = -1;
  for (int64_t y = ys; y < ye; y += g.dh) {
    for (int64_t x = xs; x < xe; x += g.dw) {
      const int64_t i = (y * g.iw + x) * g.c + ch;
      if (img[i] > best) {
        best = img[i];
        at = i;
      }
    }
  }
  return at;
}

}  // namespace

void max_pool(const PoolGeometry& g, const float* x, float* y) {
  const int64_t image = g.ih * g.iw * g.c;
  const int64_t out_image = g.oh * g.ow * g.c;
#pragma omp parallel for collapse(2) schedule(static)
  for (int64_t b = 0; b < g.n; ++b) {
    for (int64_t oy = 0; oy < g.oh; ++oy) {
      const float* img = x + b * image;
      for (int64_t ox = 0; ox < g.ow; ++ox) {
        float* out = y + b * out_image + (oy * g.ow + ox) * g.c;
        for (int64_t ch = 0; ch < g.c; ++ch) {
          const int64_t i = argmax(g, img, oy, ox, ch);
          out[ch] = i < 0 ? -std::numeric_limits<float>::infinity() : img[i];
        }
      }
    }
  }
}

void max_pool_grad(const PoolGeometry& g, const float* x, const float* dy, float* dx) {
  const int64_t image = g.ih * g.iw * g.c;
  const int64_t out_image = g.oh * g.ow * g.c;
  // Windows overlap within an image, so each thread owns whole images.
#pragma omp parallel for schedule(static)
  for (int64_t b = 0; b < g.n; ++b) {
    const float* img = x + b * image;
    float* grad = dx + b * image;
    std::fill(grad, grad + image, 0.f);
    for (int64_t oy = 0; oy < g.oh; ++oy) {
      for (int64_t ox = 0; ox < g.ow; ++ox) {
        const float* d = dy + b * out_image + (oy * g.ow + ox) * g.c;
        for (int64_t ch = 0; ch < g.c; ++ch) {
          const int64_t i = argmax(g, img, oy, ox, ch);
          if (i >= 0) grad[i] += d[ch];
        }
      }
    }
  }
}

}  // namespace xk
