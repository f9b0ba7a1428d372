"""TensorFlow / Keras references for xfer's native image ops (test/reference/image_ops.test.ts).

    python tf_image.py DIR

DIR/jobs.json lists the work; every path in it is relative to DIR. Images are .npy arrays of
shape (height, width, 3): uint8 inputs (xfer's own decodes, so that only the op under test
differs), float32 outputs. One run does everything because importing TensorFlow costs seconds.

    {"resize":  [{"input", "output", "height", "width"}],
     "augment": [{"input", "output", "factor": [lo, hi], "seed", "flip": bool,
                  "fill", "fill_value", "interpolation"}],
     "decode":  {"variants": [{"dct_method", "fancy_upscaling"} or {"op": "decode_image"}],
                 "images": [{"jpeg": absolute path, "xfer": npy}]}}

resize:  tf.image.resize(bilinear, antialias=False), the TF2 defaults.
augment: keras.layers.RandomFlip("horizontal") then RandomRotation(factor, ...), each through its
         own get_random_transformation / transform_images. RandomRotation draws with `seed`; the
         flip is a draw too: seeds from `seed` + 1 up are tried until RandomFlip draws `flip`.
decode:  tf.io.decode_jpeg(channels=3) with each variant's arguments, or tf.io.decode_image
         (channels=3), compared here with xfer's pixels, since sending TF's decodes of the whole
         corpus back would mean gigabytes of .npy.

Prints one JSON object: "augment" gives per job the drawn angle (degrees as Keras draws it,
radians as its rotation matrix uses it, both float32), the flip and the flip's seed; "decode"
gives per variant and image [max abs diff, sum of abs diffs, values that differ].
"""

import json
import sys
from pathlib import Path

import keras
import numpy as np
import tensorflow as tf

# The tests share a 2-core machine.
tf.config.threading.set_inter_op_parallelism_threads(2)
tf.config.threading.set_intra_op_parallelism_threads(2)


def resize(job, load, save):
    image = load(job["input"])
    out = tf.image.resize(image, (job["height"], job["width"]), method="bilinear", antialias=False)
    save(job["output"], out.numpy())


def augment(job, load, save):
    images = load(job["input"])[None].astype(np.float32)
    flip = keras.layers.RandomFlip("horizontal")
    rotation = keras.layers.RandomRotation(
        tuple(job["factor"]),
        fill_mode=job["fill"],
        interpolation=job["interpolation"],
        fill_value=job["fill_value"],
    )
    turn = rotation.get_random_transformation(images, training=True, seed=job["seed"])
    # Not the rotation's seed: the same stateless seed would draw the same uniform for both.
    flip_seed = job["seed"] + 1
    while True:
        flips = flip.get_random_transformation(images, training=True, seed=flip_seed)
        if bool(flips["flips"].numpy().ravel()[0]) == job["flip"]:
            break
        flip_seed += 1
    out = rotation.transform_images(flip.transform_images(images, flips, training=True), turn, training=True)
    save(job["output"], out.numpy()[0])
    degrees = turn["angle"].numpy()[0]
    # The same float32 product as Keras' _compute_affine_matrix.
    radians = degrees * tf.constant(np.pi / 180.0, tf.float32).numpy()
    return {"degrees": float(degrees), "radians": float(radians), "flip": job["flip"], "flip_seed": flip_seed}


def decoder(variant):
    if variant.get("op") == "decode_image":
        return lambda data: tf.io.decode_image(data, channels=3, expand_animations=False)
    return lambda data: tf.io.decode_jpeg(data, channels=3, **variant)


def decode(spec, load):
    decoders = [decoder(variant) for variant in spec["variants"]]
    stats = [[] for _ in decoders]
    for image in spec["images"]:
        data = tf.io.read_file(image["jpeg"])
        ours = load(image["xfer"]).astype(np.int16)
        for v, run in enumerate(decoders):
            theirs = run(data).numpy().astype(np.int16)
            if theirs.shape != ours.shape:
                raise ValueError(f"{image['jpeg']}: TF decodes {theirs.shape}, xfer {ours.shape}")
            diff = np.abs(theirs - ours)
            stats[v].append([int(diff.max()), int(diff.sum()), int(np.count_nonzero(diff))])
    return stats


def main(folder):
    folder = Path(folder)
    jobs = json.loads((folder / "jobs.json").read_text())

    def load(name):
        return np.load(folder / name)

    def save(name, array):
        np.save(folder / name, np.ascontiguousarray(array, dtype=np.float32))

    for job in jobs.get("resize", []):
        resize(job, load, save)
    result = {"augment": [augment(job, load, save) for job in jobs.get("augment", [])]}
    if "decode" in jobs:
        result["decode"] = decode(jobs["decode"], load)
    json.dump(result, sys.stdout)


if __name__ == "__main__":
    main(sys.argv[1])
