"""What the Python peers of tools/bench/train_step.mjs share: their command line, and how a step
is timed (one untimed call first, then wall milliseconds per call)."""
import argparse
import os
import time


def parse_args(description, extra=None):
    """The shared options; `extra(ap)` adds a peer's own."""
    ap = argparse.ArgumentParser(description=description)
    ap.add_argument('--batch', type=int, default=32)
    ap.add_argument('--size', type=int, default=150)
    ap.add_argument('--steps', type=int, default=2)
    ap.add_argument('--threads', type=int, default=os.cpu_count())
    if extra:
        extra(ap)
    return ap.parse_args()


def timed(fn, steps):
    fn()  # untimed: graph tracing, allocation, oneDNN primitive creation
    out = []
    for _ in range(steps):
        t0 = time.perf_counter()
        fn()
        out.append((time.perf_counter() - t0) * 1000)
    return out
