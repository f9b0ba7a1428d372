#include "decode_png.h"

#include <spng.h>

#include <memory>
#include <new>
#include <string>

namespace xfer {
namespace {

struct SpngCtxFree {
  void operator()(spng_ctx* ctx) const { spng_ctx_free(ctx); }
};
using SpngCtx = std::unique_ptr<spng_ctx, SpngCtxFree>;

// Ancillary chunks (text, ICC, EXIF) are held in memory by libspng; a small
// file can declare gigabytes of them. Pixel data (IDAT) is not cached, so the
// cap does not limit image size.
constexpr size_t kChunkCacheLimit = size_t{64} << 20;
constexpr size_t kChunkSizeLimit = 0x7FFFFFFF;  // the PNG spec maximum

Status SpngFailure(int err, const char* stage) {
  const std::string what = std::string(stage) + ": " + spng_strerror(err);
  switch (err) {
    case SPNG_IO_EOF:
    case SPNG_EOF:
    case SPNG_EIDAT_TOO_SHORT:
      return Status::Error(ErrorCode::kTruncated, "truncated PNG (" + what + ")");
    case SPNG_EMEM:
      throw std::bad_alloc();
    case SPNG_EUSER_WIDTH:
    case SPNG_EUSER_HEIGHT:
    case SPNG_ECHUNK_LIMITS:
      return Status::Error(ErrorCode::kTooLarge, "PNG over libspng limits (" + what + ")");
    default:
      return Status::Error(ErrorCode::kCorrupt, "corrupt PNG (" + what + ")");
  }
}

}  // namespace

Status DecodePng(const uint8_t* data, size_t size, const DecodeOptions& options, RgbImage& out) {
  SpngCtx ctx(spng_ctx_new(0));
  if (!ctx) throw std::bad_alloc();
  spng_set_chunk_limits(ctx.get(), kChunkSizeLimit, kChunkCacheLimit);
  int err = spng_set_png_buffer(ctx.get(), data, size);
  if (err != 0) return SpngFailure(err, "reading buffer");

  spng_ihdr ihdr{};
  err = spng_get_ihdr(ctx.get(), &ihdr);
  if (err != 0) return SpngFailure(err, "reading header");
  Status limit = CheckPixelLimit(ihdr.width, ihdr.height, options.max_pixels);
  if (!limit.ok()) return limit;

  size_t bytes = 0;
  err = spng_decoded_image_size(ctx.get(), SPNG_FMT_RGB8, &bytes);
  if (err != 0) return SpngFailure(err, "sizing image");
  if (bytes != static_cast<size_t>(ihdr.width) * ihdr.height * 3) {
    return Status::Error(ErrorCode::kCorrupt, "corrupt PNG (unexpected decoded size)");
  }
  if (out.pixels.size() < bytes) out.pixels.resize(bytes);
  // No SPNG_DECODE_TRNS: RGB8 has no alpha to put it in, and dropping
  // transparency is the documented behaviour.
  err = spng_decode_image(ctx.get(), out.pixels.data(), bytes, SPNG_FMT_RGB8, 0);
  if (err != 0) return SpngFailure(err, "decoding pixels");
  out.width = static_cast<int>(ihdr.width);
  out.height = static_cast<int>(ihdr.height);
  return Status::Ok();
}

}  // namespace xfer
