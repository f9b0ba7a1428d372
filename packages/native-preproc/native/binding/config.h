// Option groups that several binding calls share, read into the structs the
// ops and the loader take. Field names are those of the TS option objects.
#pragma once

#include "../loader/batch.h"
#include "../loader/rng.h"
#include "../ops/warp.h"
#include "options.h"

namespace xfer {

// width, height, mode, maxPixels, threads (type is left uint8).
BatchSpec ReadDecodeTarget(const Options& o);

// fill, fillValue, interpolation, scale, offset (no flips, angle 0).
WarpParams ReadWarp(const Options& o);

// flip, rotation, fill, fillValue, interpolation: Keras RandomFlip + RandomRotation.
AugmentSpec ReadAugmentSpec(const Options& o);

}  // namespace xfer
