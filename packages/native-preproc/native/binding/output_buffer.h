// Pixel memory handed to JS.
//
// Why allocate in C++ and hand over an external ArrayBuffer rather than let JS
// allocate: V8's ArrayBuffer allocator only guarantees malloc alignment (16
// bytes), while the loader wants 64-byte-aligned slots (cache lines, AVX-512
// loads, and later cudaHostRegister of the same memory). Allocating here also
// lets the worker thread allocate and fill the buffer without touching the JS
// heap. Runtimes that forbid external buffers (Electron's V8 sandbox) get a
// copy instead.
#pragma once

#include <napi.h>

#include <cstddef>
#include <cstdint>
#include <vector>

namespace xfer {

class AlignedBuffer {
 public:
  static constexpr size_t kAlignment = 64;

  AlignedBuffer() = default;
  explicit AlignedBuffer(size_t bytes);  // throws std::bad_alloc; contents uninitialised
  ~AlignedBuffer();
  AlignedBuffer(AlignedBuffer&& other) noexcept;
  AlignedBuffer& operator=(AlignedBuffer&& other) noexcept;
  AlignedBuffer(const AlignedBuffer&) = delete;
  AlignedBuffer& operator=(const AlignedBuffer&) = delete;

  uint8_t* data() const { return data_; }
  size_t size() const { return size_; }
  uint8_t* release();
  static void Free(void* p);

 private:
  uint8_t* data_ = nullptr;
  size_t size_ = 0;
};

// Transfers ownership to a JS ArrayBuffer of buffer.size() bytes.
Napi::ArrayBuffer ToArrayBuffer(Napi::Env env, AlignedBuffer&& buffer);

// Transfers the first `length` bytes of `bytes` to a JS ArrayBuffer.
Napi::ArrayBuffer ToArrayBuffer(Napi::Env env, std::vector<uint8_t>&& bytes, size_t length);

}  // namespace xfer
