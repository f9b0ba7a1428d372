// Decoded pixels as the ops exchange them: tightly packed interleaved RGB8.
#pragma once

#include <cstddef>
#include <cstdint>
#include <vector>

namespace xfer {

// Sample type of a pixel buffer the ops write: uint8 (rounded to nearest,
// clamped to 0..255) or float32 (unrounded).
enum class OutputType { kUint8, kFloat32 };

inline size_t BytesPerSample(OutputType type) { return type == OutputType::kFloat32 ? 4 : 1; }

struct RgbImage {
  // A std::vector so a worker can reuse one allocation across many images:
  // the decoders only grow it, so it stops reallocating (and zero-filling)
  // once the worker has seen its largest image. It may be larger than
  // byte_size().
  std::vector<uint8_t> pixels;
  int width = 0;
  int height = 0;
  // libjpeg reported recoverable corrupt-data warnings while decoding.
  bool warned = false;

  size_t byte_size() const { return static_cast<size_t>(width) * static_cast<size_t>(height) * 3; }
};

}  // namespace xfer
