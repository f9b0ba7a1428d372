#include "config.h"

namespace xfer {
namespace {

struct Fill {
  FillMode mode;
  float value;
  Interpolation interpolation;
};

Fill ReadFill(const Options& o) {
  return Fill{o.Enum("fill", kFillNames), o.Float32("fillValue"), o.Enum("interpolation", kInterpolationNames)};
}

}  // namespace

BatchSpec ReadDecodeTarget(const Options& o) {
  BatchSpec spec;
  spec.width = o.Side("width");
  spec.height = o.Side("height");
  spec.exact = o.Enum("mode", kModeNames);
  spec.max_pixels = o.Count("maxPixels", 1);
  spec.threads = static_cast<size_t>(o.Count("threads", 1));
  return spec;
}

WarpParams ReadWarp(const Options& o) {
  const Fill fill = ReadFill(o);
  WarpParams p;
  p.fill = fill.mode;
  p.fill_value = fill.value;
  p.interpolation = fill.interpolation;
  p.scale = o.Float32("scale");
  p.offset = o.Float32("offset");
  return p;
}

AugmentSpec ReadAugmentSpec(const Options& o) {
  const Fill fill = ReadFill(o);
  const FlipAxes flip = o.Enum("flip", kFlipNames);
  AugmentSpec spec;
  spec.flip_horizontal = flip.horizontal;
  spec.flip_vertical = flip.vertical;
  spec.rotation_factor = o.Finite("rotation");
  spec.fill = fill.mode;
  spec.fill_value = fill.value;
  spec.interpolation = fill.interpolation;
  return spec;
}

}  // namespace xfer
