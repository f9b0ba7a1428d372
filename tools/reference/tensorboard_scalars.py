"""Loads TensorBoard event files with TensorBoard's own EventAccumulator and prints, as JSON, each
file's name and the scalars of each subfolder of a log directory (what TensorBoard would show).

    python tensorboard_scalars.py <logdir>
"""
import json
import os
import sys

from tensorboard.backend.event_processing.event_accumulator import EventAccumulator


def load(path):
    # size_guidance 0 keeps every event: the default keeps a sample of them.
    acc = EventAccumulator(path, size_guidance={"scalars": 0, "tensors": 0})
    acc.Reload()
    return acc


def main(logdir):
    out = {}
    for run in sorted(os.listdir(logdir)):
        folder = os.path.join(logdir, run)
        files = sorted(os.listdir(folder))
        # Each file alone as well: a file a killed process left must load by itself.
        per_file = {f: load(os.path.join(folder, f)).Tags()["scalars"] for f in files}
        acc = load(folder)
        scalars = {t: [[e.step, e.value] for e in acc.Scalars(t)] for t in acc.Tags()["scalars"]}
        out[run] = {"files": per_file, "scalars": scalars, "tensors": acc.Tags()["tensors"]}
    json.dump(out, sys.stdout)


if __name__ == "__main__":
    main(sys.argv[1])
