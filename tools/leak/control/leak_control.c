// The leak check's positive control: a Node-API module whose leak(n) allocates n bytes and
// drops the pointer. Built and loaded like the addon, it proves a leak from an addon's frames
// is reported in this setup (node, preloaded ASan runtime, natural exit).
#include <node_api.h>
#include <stdlib.h>
#include <string.h>

static napi_value Leak(napi_env env, napi_callback_info info) {
  size_t argc = 1;
  napi_value arg;
  int64_t n = 0;
  napi_get_cb_info(env, info, &argc, &arg, NULL, NULL);
  napi_get_value_int64(env, arg, &n);
  volatile char* lost = malloc((size_t)n);
  if (lost != NULL) memset((char*)lost, 1, (size_t)n);
  lost = NULL;
  return NULL;
}

NAPI_MODULE_INIT() {
  napi_value fn;
  napi_create_function(env, "leak", NAPI_AUTO_LENGTH, Leak, NULL, &fn);
  napi_set_named_property(env, exports, "leak", fn);
  return exports;
}
