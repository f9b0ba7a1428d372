"""Pillow peer: draft-mode JPEG decode (DCT scaling) + resize BILINEAR to 150x150 RGB uint8.

threads=1: images one after another.
threads=N: both a ThreadPool of N (Pillow releases the GIL while decoding and resizing) and a
fork()ed process Pool of N are measured; the faster one is reported, the other is listed.
"""
import io
import multiprocessing
from multiprocessing.pool import ThreadPool

import PIL
from PIL import Image, features

from bench_common import best_of, emit, measure, read_spec

SIZE = (150, 150)
_IMAGES = []  # set before the process pool forks, so workers get the bytes without pickling them


def decode_resize(buf):
    im = Image.open(io.BytesIO(buf))
    im.draft("RGB", SIZE)  # libjpeg DCT scaling to the smallest size that still covers 150x150
    im = im.resize(SIZE, Image.Resampling.BILINEAR)
    if im.mode != "RGB":  # grayscale JPEGs stay "L" through draft()
        im = im.convert("RGB")
    return im.tobytes()


def _decode_index(i):
    return decode_resize(_IMAGES[i])


def serial(images):
    return [decode_resize(b) for b in images]


def threaded(pool):
    return lambda images: pool.map(decode_resize, images, chunksize=8)


def forked(pool):
    # Every run gets a prefix of _IMAGES (warm-up or the full set), so indices identify the images.
    return lambda images: pool.map(_decode_index, range(len(images)), chunksize=8)


def main():
    spec, images = read_spec()
    _IMAGES.extend(images)
    rows = []
    for t in spec["threads"]:
        if t == 1:
            rows.append(measure("draft + BILINEAR, serial", 1, serial, images, spec["repeat"]))
            continue
        with ThreadPool(t) as tpool, multiprocessing.get_context("fork").Pool(t) as ppool:
            rows.append(best_of([
                measure(f"draft + BILINEAR, ThreadPool({t})", t, threaded(tpool), images, spec["repeat"]),
                measure(f"draft + BILINEAR, process Pool({t})", t, forked(ppool), images, spec["repeat"]),
            ]))
    turbo = features.version_feature("libjpeg_turbo") if features.check_feature("libjpeg_turbo") else None
    emit(rows, {"pillow": f"{PIL.__version__} (libjpeg{'-turbo ' + turbo if turbo else ' ' + str(features.version('jpg'))})"})


if __name__ == "__main__":
    main()
