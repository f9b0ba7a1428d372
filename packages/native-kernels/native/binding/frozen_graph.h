// N-API surface of frozen graphs (ops/graph.h).
#pragma once

#include <napi.h>

namespace xk {

/** Adds graphCreate, graphOutputShape, graphRun and graphDispose to the addon's exports. */
void export_frozen_graph(Napi::Env env, Napi::Object exports);

}  // namespace xk
