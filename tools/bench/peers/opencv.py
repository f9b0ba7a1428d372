"""OpenCV peer: reduced JPEG decode (DCT scaling) + cv2.resize INTER_LINEAR to 150x150 RGB uint8.

threads=1: cv2.setNumThreads(1), images one after another.
threads=N: a ThreadPool of N workers over images (cv2 releases the GIL in imdecode and resize),
trying cv2.setNumThreads(1) and (N) inside the workers; the faster one is reported.
"""
from multiprocessing.pool import ThreadPool

import cv2
import numpy as np

from bench_common import best_of, emit, measure, read_spec
from jpeg_header import jpeg_size

SIZE = 150
# Largest reduction first: libjpeg scales to ceil(dim / f).
_REDUCED = ((8, cv2.IMREAD_REDUCED_COLOR_8), (4, cv2.IMREAD_REDUCED_COLOR_4), (2, cv2.IMREAD_REDUCED_COLOR_2))


def decode_flag(buf):
    """The largest reduction whose output still covers 150x150, picked from the SOF header."""
    size = jpeg_size(buf)
    if size is None:
        return cv2.IMREAD_COLOR
    w, h = size
    for f, flag in _REDUCED:
        if -(-w // f) >= SIZE and -(-h // f) >= SIZE:
            return flag
    return cv2.IMREAD_COLOR


def decode_resize(buf):
    img = cv2.imdecode(np.frombuffer(buf, np.uint8), decode_flag(buf))  # BGR, gray expanded to 3 channels
    if img is None:
        raise ValueError("cv2.imdecode failed")
    img = cv2.resize(img, (SIZE, SIZE), interpolation=cv2.INTER_LINEAR)
    return cv2.cvtColor(img, cv2.COLOR_BGR2RGB)


def serial(images):
    cv2.setNumThreads(1)
    return [decode_resize(b) for b in images]


def pooled(pool, cv_threads):
    def run(images):
        cv2.setNumThreads(cv_threads)
        return pool.map(decode_resize, images, chunksize=8)
    return run


def main():
    spec, images = read_spec()
    rows = []
    for t in spec["threads"]:
        if t == 1:
            rows.append(measure("reduced decode + INTER_LINEAR, serial", 1, serial, images, spec["repeat"]))
            continue
        with ThreadPool(t) as pool:
            rows.append(best_of([
                measure(f"reduced decode + INTER_LINEAR, ThreadPool({t}), setNumThreads({n})", t,
                        pooled(pool, n), images, spec["repeat"])
                for n in (1, t)
            ]))
    jpeg = next((l.split(":", 1)[1].strip() for l in cv2.getBuildInformation().splitlines()
                 if l.strip().startswith("JPEG:")), "?")
    emit(rows, {"opencv": f"{cv2.__version__} (JPEG: {jpeg})"})


if __name__ == "__main__":
    main()
