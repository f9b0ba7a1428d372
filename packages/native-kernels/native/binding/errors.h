// How the binding reports failures of the C++ below it: as JavaScript errors with the reason.
#pragma once

#include <napi.h>

#include <oneapi/dnnl/dnnl.hpp>
#include <exception>
#include <stdexcept>
#include <string>

namespace xk {

/**
 * Runs f, turning oneDNN's and the standard library's exceptions into JavaScript errors: a
 * RangeError for std::invalid_argument (a bad shape or option), else an Error.
 */
template <typename F>
auto guarded(const Napi::Env& env, F&& f) {
  try {
    return f();
  } catch (const std::invalid_argument& e) {
    throw Napi::RangeError::New(env, e.what());
  } catch (const dnnl::error& e) {
    throw Napi::Error::New(env, std::string("oneDNN: ") + e.what());
  } catch (const std::exception& e) {
    throw Napi::Error::New(env, e.what());
  }
}

}  // namespace xk
