#include "output_buffer.h"

#include <cstdlib>
#include <cstring>
#include <memory>
#include <new>
#include <utility>

#ifdef _WIN32
#include <malloc.h>
#endif

namespace xfer {

AlignedBuffer::AlignedBuffer(size_t bytes) : size_(bytes) {
  // Never a zero-sized allocation, so data() is always a valid pointer.
  const size_t rounded = bytes == 0 ? kAlignment : (bytes + kAlignment - 1) / kAlignment * kAlignment;
  if (rounded < bytes) throw std::bad_alloc();
#ifdef _WIN32
  data_ = static_cast<uint8_t*>(_aligned_malloc(rounded, kAlignment));
#else
  void* p = nullptr;
  if (posix_memalign(&p, kAlignment, rounded) != 0) p = nullptr;
  data_ = static_cast<uint8_t*>(p);
#endif
  if (data_ == nullptr) throw std::bad_alloc();
}

AlignedBuffer::~AlignedBuffer() { Free(data_); }

AlignedBuffer::AlignedBuffer(AlignedBuffer&& other) noexcept
    : data_(std::exchange(other.data_, nullptr)), size_(std::exchange(other.size_, 0)) {}

AlignedBuffer& AlignedBuffer::operator=(AlignedBuffer&& other) noexcept {
  if (this != &other) {
    Free(data_);
    data_ = std::exchange(other.data_, nullptr);
    size_ = std::exchange(other.size_, 0);
  }
  return *this;
}

uint8_t* AlignedBuffer::release() {
  size_ = 0;
  return std::exchange(data_, nullptr);
}

void AlignedBuffer::Free(void* p) {
#ifdef _WIN32
  _aligned_free(p);
#else
  std::free(p);
#endif
}

Napi::ArrayBuffer ToArrayBuffer(Napi::Env env, AlignedBuffer&& buffer) {
  const size_t size = buffer.size();
  napi_value value = nullptr;
  const napi_status status = napi_create_external_arraybuffer(
      env, buffer.data(), size, [](napi_env, void* data, void*) { AlignedBuffer::Free(data); }, nullptr, &value);
  if (status == napi_ok) {
    buffer.release();  // now owned by the finalizer
    return Napi::ArrayBuffer(env, value);
  }
  Napi::ArrayBuffer copy = Napi::ArrayBuffer::New(env, size);
  if (size > 0) std::memcpy(copy.Data(), buffer.data(), size);
  return copy;
}

Napi::ArrayBuffer ToArrayBuffer(Napi::Env env, std::vector<uint8_t>&& bytes, size_t length) {
  if (length > bytes.size()) length = bytes.size();
  auto owned = std::make_unique<std::vector<uint8_t>>(std::move(bytes));
  napi_value value = nullptr;
  const napi_status status = napi_create_external_arraybuffer(
      env, owned->data(), length,
      [](napi_env, void*, void* hint) { delete static_cast<std::vector<uint8_t>*>(hint); }, owned.get(), &value);
  if (status == napi_ok) {
    owned.release();  // now owned by the finalizer
    return Napi::ArrayBuffer(env, value);
  }
  Napi::ArrayBuffer copy = Napi::ArrayBuffer::New(env, length);
  if (length > 0) std::memcpy(copy.Data(), owned->data(), length);
  return copy;
}

}  // namespace xfer
