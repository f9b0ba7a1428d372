// What NativeLoader's methods hand back, as the plain JS objects that
// src/binding.ts describes (RawNextResult, RawLoaderStats, ...).
#pragma once

#include <napi.h>

#include "../loader/loader.h"

namespace xfer {

Napi::Object NextResultToJs(Napi::Env env, const NextResult& r);
Napi::Object StatsToJs(Napi::Env env, const LoaderStats& s, const SlotRing& ring);
Napi::Object LengthToJs(Napi::Env env, const LengthInfo& l);
// { kind: 'cpu' | 'cuda', reason }: where augment + normalize run, and why.
Napi::Object DeviceChoiceToJs(Napi::Env env, const DeviceChoice& d);

}  // namespace xfer
