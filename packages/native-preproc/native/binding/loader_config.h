// new NativeLoader(sources, labels, options): the JS arguments read into the
// plain LoaderConfig the engine runs on. Nothing past this reads a JS value.
#pragma once

#include <napi.h>

#include <vector>

#include "../loader/loader.h"

namespace xfer {

// Uint8Array sources are borrowed: their references are moved into
// `keep_alive`, which must outlive the loader's threads.
LoaderConfig ReadLoaderConfig(const Napi::CallbackInfo& info, std::vector<Napi::ObjectReference>& keep_alive);

}  // namespace xfer
