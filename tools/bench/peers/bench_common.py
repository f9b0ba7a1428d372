"""Harness shared by the Python peers (opencv.py, pillow.py).

Same protocol and timing policy as the JavaScript side (lib/child.mjs, lib/timing.mjs):
the spec {dir, files, threads, repeat} comes as JSON on stdin, all files are read into memory
before any timing, each case gets one untimed warm-up pass over a few images and then `repeat`
timed passes, and the result is one JSON line on stdout. Statistics are computed by the caller.
"""
import json
import os
import sys
import time

import numpy as np

WARMUP_IMAGES = 32
OUT_SHAPE = (150, 150, 3)
OUT_BYTES = 150 * 150 * 3


def read_spec():
    spec = json.load(sys.stdin)
    images = []
    for name in spec["files"]:
        with open(os.path.join(spec["dir"], name), "rb") as fh:
            images.append(fh.read())
    return spec, images


def _as_u8(out):
    """A flat uint8 view of one output, or None if it is not a 150x150x3 uint8 image."""
    if isinstance(out, np.ndarray):
        return out.reshape(-1) if out.shape == OUT_SHAPE and out.dtype == np.uint8 else None
    if isinstance(out, (bytes, bytearray)) and len(out) == OUT_BYTES:
        return np.frombuffer(out, np.uint8)
    return None


def check_outputs(outputs, expected):
    """Mirror of lib/check.mjs: count, shape/dtype of every output, mean of the first."""
    flat = [_as_u8(o) for o in outputs]
    bad = sum(1 for f in flat if f is None)
    first_mean = round(float(flat[0].mean()), 2) if flat and flat[0] is not None else None
    check = {"ok": len(outputs) == expected and bad == 0, "count": len(outputs),
             "expected": expected, "badSize": bad, "firstMean": first_mean}
    if len(outputs) != expected:
        check["problem"] = f"{len(outputs)} outputs for {expected} images"
    elif bad:
        check["problem"] = f"{bad} outputs are not 150x150x3 uint8"
    return check


def time_runs(run, images, repeat):
    run(images[:WARMUP_IMAGES])
    seconds, outputs = [], None
    for _ in range(repeat):
        outputs = None  # free the previous pass's outputs before timing the next one
        t0 = time.perf_counter()
        outputs = run(images)
        seconds.append(time.perf_counter() - t0)
    return seconds, outputs


def measure(setting, threads, run, images, repeat):
    """One candidate row: raw seconds plus the output check."""
    seconds, outputs = time_runs(run, images, repeat)
    return {"setting": setting, "threads": threads, "images": len(images),
            "seconds": seconds, "check": check_outputs(outputs, len(images))}


def best_of(candidates):
    """The fastest candidate (ties: the first), the others listed as alternatives."""
    ranked = sorted(candidates, key=lambda r: min(r["seconds"]))
    best = dict(ranked[0])
    best["alternatives"] = [
        {"setting": r["setting"], "imagesPerSec": round(r["images"] / min(r["seconds"]), 1)} for r in ranked[1:]
    ]
    return best


def emit(rows, versions):
    sys.stdout.write(json.dumps({"rows": rows, "versions": versions}) + "\n")
