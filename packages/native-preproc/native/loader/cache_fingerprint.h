// What a disk cache file is keyed by: a fingerprint of the sources (their
// bytes, or each file's path, size and modification time) and of the
// settings that change the cached pixels (size, mode, maxPixels).
#pragma once

#include "image_cache.h"
#include "loader.h"

namespace xfer {

// Stats every file source, so a replaced file invalidates the cache.
DiskCacheKey MakeDiskCacheKey(const LoaderConfig& config);

}  // namespace xfer
