#include "decode_jpeg.h"

#include <turbojpeg.h>

#include <new>
#include <string>

#include "cmyk.h"
#include "jpeg_structure.h"

namespace xfer {
namespace {

// One decompressor per thread: tjInitDecompress allocates a few KB of libjpeg
// state, which is worth keeping across the thousands of images a worker sees.
// TurboJPEG handles are not thread-safe, so they cannot be shared.
class ThreadDecompressor {
 public:
  ThreadDecompressor() : handle_(tjInitDecompress()) {}
  ~ThreadDecompressor() {
    if (handle_ != nullptr) tjDestroy(handle_);
  }
  ThreadDecompressor(const ThreadDecompressor&) = delete;
  ThreadDecompressor& operator=(const ThreadDecompressor&) = delete;
  tjhandle get() const { return handle_; }

  // TurboJPEG 2 can leave a handle mid-header after a failure (its
  // tables-only early return skips jpeg_abort), which would poison the next
  // image on this thread. Failures are rare, so start afresh after each one.
  void Reset() {
    if (handle_ != nullptr) tjDestroy(handle_);
    handle_ = tjInitDecompress();
  }

 private:
  tjhandle handle_;
};

ThreadDecompressor& DecompressorForThisThread() {
  thread_local ThreadDecompressor decompressor;
  return decompressor;
}

std::string TjMessage(tjhandle handle) {
  const char* msg = tjGetErrorStr2(handle);
  return msg != nullptr ? std::string(msg) : std::string("unknown libjpeg error");
}

// libjpeg pads a short stream with a fake EOI and only warns, so both a fatal
// error and a warning can mean "cut short"; the marker walk tells them apart.
Status Failure(const uint8_t* data, size_t size, const std::string& what) {
  if (JpegEndsBeforeEoi(data, size)) {
    return Status::Error(ErrorCode::kTruncated, "truncated JPEG (data ends before the EOI marker): " + what);
  }
  return Status::Error(ErrorCode::kCorrupt, "corrupt JPEG: " + what);
}

}  // namespace

JpegScale ChooseJpegScale(int width, int height, int target_width, int target_height) {
  JpegScale best{1, 1, width, height};
  if (target_width <= 0 || target_height <= 0) return best;
  int count = 0;
  const tjscalingfactor* factors = tjGetScalingFactors(&count);
  if (factors == nullptr) return best;
  for (int i = 0; i < count; ++i) {
    const tjscalingfactor f = factors[i];
    if (f.num <= 0 || f.denom <= 0 || f.num > f.denom) continue;  // never upscale in the DCT
    if (f.num != 1 && f.num != f.denom) continue;                  // no SIMD IDCT (see header)
    const int w = TJSCALED(width, f);
    const int h = TJSCALED(height, f);
    if (w < target_width || h < target_height) continue;
    const long long area = static_cast<long long>(w) * h;
    const long long best_area = static_cast<long long>(best.width) * best.height;
    const bool larger_factor = static_cast<long long>(f.num) * best.denom > static_cast<long long>(best.num) * f.denom;
    if (area < best_area || (area == best_area && larger_factor)) best = JpegScale{f.num, f.denom, w, h};
  }
  return best;
}

namespace {

Status DecodeJpegWith(tjhandle handle, const uint8_t* data, size_t size, const DecodeOptions& options,
                      RgbImage& out) {

  // TurboJPEG takes an unsigned long; on LLP64 (Windows) that is 32 bits.
  if (size > static_cast<unsigned long>(-1)) {
    return Status::Error(ErrorCode::kTooLarge, "JPEG stream larger than 4 GiB");
  }
  const unsigned long jpeg_size = static_cast<unsigned long>(size);

  int width = 0, height = 0, subsamp = 0, colorspace = 0;
  if (tjDecompressHeader3(handle, data, jpeg_size, &width, &height, &subsamp, &colorspace) != 0 &&
      (tjGetErrorCode(handle) != TJERR_WARNING || width <= 0 || height <= 0)) {
    return Failure(data, size, TjMessage(handle));
  }
  // A stream that ends (or holds only tables) before the frame header reads
  // as "tables-only": success with no dimensions.
  if (width <= 0 || height <= 0) return Failure(data, size, "no image (frame header) found");
  Status limit = CheckPixelLimit(static_cast<uint64_t>(width), static_cast<uint64_t>(height), options.max_pixels);
  if (!limit.ok()) return limit;

  const JpegScale scale = ChooseJpegScale(width, height, options.target_width, options.target_height);
  // libjpeg refuses to colour-convert CMYK/YCCK to RGB, so take CMYK and
  // convert ourselves.
  const bool cmyk = colorspace == TJCS_CMYK || colorspace == TJCS_YCCK;
  const int pixel_format = cmyk ? TJPF_CMYK : TJPF_RGB;
  const size_t pixels = static_cast<size_t>(scale.width) * static_cast<size_t>(scale.height);
  const size_t decoded_bytes = pixels * (cmyk ? 4 : 3);
  if (out.pixels.size() < decoded_bytes) out.pixels.resize(decoded_bytes);

  // LIMITSCANS: a progressive stream with thousands of tiny scans is a CPU
  // bomb; libjpeg-turbo caps it at 500 with this flag.
  const int flags = TJFLAG_LIMITSCANS;
  if (tjDecompress2(handle, data, jpeg_size, out.pixels.data(), scale.width, 0, scale.height, pixel_format,
                    flags) != 0) {
    if (tjGetErrorCode(handle) != TJERR_WARNING) return Failure(data, size, TjMessage(handle));
    // A warning still produced a full image (missing data is filled in grey),
    // which is what "Corrupt JPEG data: N extraneous bytes" files deserve. A
    // stream cut short is not: its bottom is made up, so refuse it.
    if (JpegEndsBeforeEoi(data, size)) {
      return Status::Error(ErrorCode::kTruncated,
                           "truncated JPEG (data ends before the EOI marker): " + TjMessage(handle));
    }
    out.warned = true;
  }
  if (cmyk) AdobeCmykToRgbInPlace(out.pixels.data(), pixels);
  out.width = scale.width;
  out.height = scale.height;
  return Status::Ok();
}

}  // namespace

Status DecodeJpeg(const uint8_t* data, size_t size, const DecodeOptions& options, RgbImage& out) {
  ThreadDecompressor& decompressor = DecompressorForThisThread();
  if (decompressor.get() == nullptr) decompressor.Reset();
  if (decompressor.get() == nullptr) throw std::bad_alloc();
  Status status = DecodeJpegWith(decompressor.get(), data, size, options, out);
  if (!status.ok()) decompressor.Reset();
  return status;
}

}  // namespace xfer
