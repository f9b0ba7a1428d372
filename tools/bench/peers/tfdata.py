"""tf.data peer: the recipe's input pipeline as a Keras user writes it (the seed's code, with the
Keras guide's augmentation mapped over the dataset), on TensorFlow's CPU runtime.

  JPEG bytes in memory -> map(decode_jpeg(channels=3) + tf.image.resize 150x150 bilinear,
  num_parallel_calls=AUTOTUNE) -> cache() -> batch(32) -> map(Sequential([RandomFlip("horizontal"),
  RandomRotation(0.1)])(training=True) + Rescaling(1/127.5, offset=-1) to float32 [-1, 1],
  num_parallel_calls=AUTOTUNE) -> prefetch(10)

Rows: the cold epoch (a fresh pipeline per pass: decode, resize, cache fill, augment) and the
cached epoch (2nd+ epoch of one pipeline: augment from the float32 cache). TensorFlow sizes its
thread pools once per process, so peers/tfdata.mjs runs this once per thread count, with the
spec (bench_common.py) on stdin:

  KERAS_BACKEND=tensorflow $(bash tools/reference/venv.sh) tools/bench/peers/tfdata.py < spec.json
"""
import math
import time

import keras
import numpy as np
import tensorflow as tf

from bench_common import WARMUP_IMAGES, check_outputs, emit, read_spec, time_runs

SIZE = (150, 150)
BATCH = 32


def decode_resize(jpeg):
    return tf.image.resize(tf.io.decode_jpeg(jpeg, channels=3), SIZE)


def pipeline(images, threads, augment, rescale):
    """The seed's training pipeline over `images` (a tf.string tensor); a fresh one has an empty cache."""
    ds = tf.data.Dataset.from_tensor_slices(images)
    ds = ds.map(decode_resize, num_parallel_calls=tf.data.AUTOTUNE).cache().batch(BATCH)
    ds = ds.map(lambda x: rescale(augment(x, training=True)), num_parallel_calls=tf.data.AUTOTUNE)
    options = tf.data.Options()
    options.threading.private_threadpool_size = threads
    return ds.prefetch(10).with_options(options)


def consume(ds):
    """Iterates every batch. Each arrives computed; one element of it is read in place, since fit
    hands the tensor to the model without a copy (.numpy() would copy it)."""
    touched = 0.0
    for batch in ds:
        touched += float(batch[-1, -1, -1, -1])
    if math.isnan(touched):
        raise ValueError("a batch held NaN")


def uint8_images(ds):
    """Untimed: an epoch back from [-1, 1] to one 150x150x3 uint8 array per image, for the output check."""
    out = []
    for batch in ds:
        out.extend(np.clip((batch.numpy() + 1) * 127.5, 0, 255).astype(np.uint8))
    return out


def time_fresh_pipelines(make, images, repeat):
    """bench_common.time_runs for the cold epoch: each pass gets a fresh pipeline, built untimed
    (from_tensor_slices and tracing the map functions take a few hundred ms, a one-off per
    pipeline, as constructing the Loader is for xfer's cold epoch)."""
    consume(make(images[:WARMUP_IMAGES]))
    seconds = []
    for _ in range(repeat):
        ds = make(images)
        t0 = time.perf_counter()
        consume(ds)
        seconds.append(time.perf_counter() - t0)
    return seconds


def main():
    spec, buffers = read_spec()
    (threads,) = spec["threads"]
    tf.config.threading.set_intra_op_parallelism_threads(threads)
    tf.config.threading.set_inter_op_parallelism_threads(threads)
    images = tf.constant(buffers)
    n = len(buffers)
    augment = keras.Sequential([keras.layers.RandomFlip("horizontal"), keras.layers.RandomRotation(0.1)])
    rescale = keras.layers.Rescaling(scale=1 / 127.5, offset=-1)

    def make(imgs):
        return pipeline(imgs, threads, augment, rescale)

    note = (f"tf.data private threadpool {threads}, TF intra/inter-op {threads}; "
            "batches read in place; output checked on an untimed extra epoch")
    seconds = time_fresh_pipelines(make, images, spec["repeat"])
    cold = {"setting": "tf.data cold epoch: decode+resize+cache+flip/rot 0.1+normalize f32, batch 32",
            "threads": threads, "images": n, "seconds": seconds,
            "check": check_outputs(uint8_images(make(images)), n),
            "note": f"fresh pipeline per pass, built untimed; {note}"}

    ds = make(images)
    consume(ds)  # epoch 1 fills the cache, untimed
    # the warm-up pass reads only its first batch (a full cache may be read in part)
    seconds, _ = time_runs(lambda imgs: consume(ds.take(math.ceil(len(imgs) / BATCH))), buffers, spec["repeat"])
    cached = {"setting": "tf.data cached epoch (2nd+): flip/rot 0.1+normalize f32 from the cache, batch 32",
              "threads": threads, "images": n, "seconds": seconds,
              "check": check_outputs(uint8_images(ds), n), "note": note}
    emit([cold, cached], {"tensorflow": f"{tf.__version__} (Keras {keras.__version__})"})


if __name__ == "__main__":
    main()
