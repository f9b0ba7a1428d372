// A fast 128-bit non-cryptographic fingerprint, used only to key the on-disk
// cache (did the sources or settings change since the file was written?).
#pragma once

#include <cstddef>
#include <cstdint>
#include <cstring>
#include <string>

#include "rng.h"

namespace xfer {

class Fingerprint {
 public:
  void Bytes(const void* data, size_t n) {
    const uint8_t* p = static_cast<const uint8_t*>(data);
    U64(n);
    size_t i = 0;
    for (; i + 8 <= n; i += 8) {
      uint64_t w;
      std::memcpy(&w, p + i, 8);
      Mix(w);
    }
    uint64_t tail = 0;
    if (n > i) std::memcpy(&tail, p + i, n - i);
    Mix(tail ^ (static_cast<uint64_t>(n - i) << 56));
  }
  void U64(uint64_t v) { Mix(v); }
  void Str(const std::string& s) { Bytes(s.data(), s.size()); }
  uint64_t high() const { return SplitMix64(a_ ^ words_); }
  uint64_t low() const { return SplitMix64(b_ + SplitMix64(words_)); }

 private:
  static uint64_t Rotl(uint64_t v, int r) { return (v << r) | (v >> (64 - r)); }
  void Mix(uint64_t w) {
    ++words_;
    a_ = Rotl(a_ ^ (w * 0x9E3779B97F4A7C15ull), 27) * 0xC2B2AE3D27D4EB4Full + words_;
    b_ = Rotl(b_ + (w * 0xC2B2AE3D27D4EB4Full), 31) * 0x9E3779B97F4A7C15ull ^ (words_ << 1);
  }
  uint64_t a_ = 0x243F6A8885A308D3ull;
  uint64_t b_ = 0x13198A2E03707344ull;
  uint64_t words_ = 0;
};

}  // namespace xfer
