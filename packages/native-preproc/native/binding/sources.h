// JS sources (path strings, Uint8Arrays or byte ranges) turned into loader Sources.
#pragma once

#include <napi.h>

#include <vector>

#include "../loader/batch.h"

namespace xfer {

// Owns what the worker threads read: the path strings are copied, the byte
// arrays are borrowed and kept reachable by references until the async work
// is done (callers must not transfer or detach them meanwhile, the same
// contract as sharp's input buffers).
struct HeldSources {
  std::vector<Source> sources;
  std::vector<Napi::ObjectReference> keep_alive;
};

// Throws a Napi::TypeError for anything but a string, a Uint8Array or a
// { path, offset, length, deflated, size } byte range.
void AddSource(Napi::Value value, HeldSources& held);

// AddSource for every element of argument 0, which must be an array.
HeldSources HoldSourceArray(const Napi::CallbackInfo& info);

}  // namespace xfer
