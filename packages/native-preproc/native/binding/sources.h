// JS sources (path strings or Uint8Arrays) turned into loader Sources.
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

// Throws a Napi::TypeError for anything but a string or a Uint8Array.
void AddSource(Napi::Value value, HeldSources& held);

}  // namespace xfer
