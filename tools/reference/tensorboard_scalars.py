"""Loads TensorBoard event files with TensorBoard's own EventAccumulator and prints, as JSON, each
file's name and the scalars, images and histograms of each subfolder of a log directory (what TensorBoard
would show). Each image is decoded by TensorFlow, so its size is the picture's, not only the
size the summary claims.

    python tensorboard_scalars.py <logdir>
"""
import json
import os
import sys

from tensorboard.backend.event_processing.event_accumulator import EventAccumulator


def load(path):
    # size_guidance 0 keeps every event: the default keeps a sample of them.
    acc = EventAccumulator(path, size_guidance={"scalars": 0, "tensors": 0, "images": 0, "histograms": 0})
    acc.Reload()
    return acc


def decoded_size(encoded):
    # Imported only when there are images: importing TensorFlow costs seconds.
    import tensorflow as tf

    height, width, _ = tf.io.decode_image(encoded).shape
    return [width, height]


def images(acc):
    return {
        t: [{"step": e.step, "width": e.width, "height": e.height, "decoded": decoded_size(e.encoded_image_string)} for e in acc.Images(t)]
        for t in acc.Tags()["images"]
    }


def histograms(acc):
    def summary(h):
        return {"min": h.min, "max": h.max, "num": h.num, "counted": sum(h.bucket), "buckets": len(h.bucket)}

    return {t: [dict(step=e.step, **summary(e.histogram_value)) for e in acc.Histograms(t)] for t in acc.Tags()["histograms"]}


def main(logdir):
    out = {}
    for run in sorted(os.listdir(logdir)):
        folder = os.path.join(logdir, run)
        files = sorted(os.listdir(folder))
        # Each file alone as well: a file a killed process left must load by itself.
        per_file = {f: load(os.path.join(folder, f)).Tags()["scalars"] for f in files}
        acc = load(folder)
        scalars = {t: [[e.step, e.value] for e in acc.Scalars(t)] for t in acc.Tags()["scalars"]}
        out[run] = {"files": per_file, "scalars": scalars, "tensors": acc.Tags()["tensors"], "images": images(acc),
                    "histograms": histograms(acc)}
    json.dump(out, sys.stdout)


if __name__ == "__main__":
    main(sys.argv[1])
