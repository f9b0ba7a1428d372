#!/usr/bin/env python3
"""Keras 3.15 (TensorFlow 2.21) side of the model parity tests in test/reference/models.test.ts.

  python tools/reference/keras_models.py make <dir>   (reads <dir>/job.json and <dir>/*.npy)
  python tools/reference/keras_models.py load <dir>

`make` builds keras.applications.Xception(weights=None, include_top=False) at job["size"], gives
every weight a seeded random value (BatchNorm moving statistics included, so inference-mode BN is
not the identity), and writes:
  xception_legacy.h5     the weights in the legacy HDF5 layout of the ImageNet notop file
  xception.weights.h5    the same weights in Keras 3's own layout
  head.npy               the Dense(1) head's kernel (2048) and bias, stacked as 2049 values
  base_out.npy           the base's output on input.npy (training=False)
  logits.npy             the recipe's transfer model's logits on input.npy
  counts.json            parameter counts as Keras reports them: base, and the transfer model frozen
                         and unfrozen
  step_<phase>.h5 and step_<phase>_head.npy
                         the base and head after one step of keras.optimizers.Adam on input.npy and
                         labels.npy, each from the weights above, with Dropout(0) so the step is
                         deterministic: phase "frozen" is model.train_on_batch with base.trainable
                         False and lr 1e-3; phase "finetune" has base.trainable True, lr 1e-5 and BN
                         in inference mode, which takes a step of our own: Keras 3's fit passes
                         training=True to every layer of a functional model, overriding the
                         `base_model(x, training=False)` of the recipe (keras-team/keras#20285), so
                         train_on_batch would normalize with batch statistics and update them
`load` reads weights files that xfer wrote (job["xfer_files"]: {name: {"model": "xception" or
"mini_xception", "widths": ..., "file": path}}) with Keras' own `load_weights`, and writes each
model's output on input.npy as <name>_out.npy.
"""
import json
import os
import sys

os.environ.setdefault("KERAS_BACKEND", "tensorflow")
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")

import h5py  # noqa: E402
import keras  # noqa: E402
import numpy as np  # noqa: E402
import tensorflow as tf  # noqa: E402
from keras import layers  # noqa: E402
from keras.src.legacy.saving import legacy_h5_format  # noqa: E402


def randomize(model, seed):
    """Seeded random weights: kernels and BN gamma/beta around their usual scale, BN moving mean
    around 0 and moving variance in [0.5, 1.5], so BN in inference mode is a real affine map."""
    rng = np.random.default_rng(seed)
    for w in model.weights:
        shape = tuple(w.shape)
        path = w.path
        if path.endswith("moving_variance"):
            value = rng.uniform(0.5, 1.5, shape)
        elif path.endswith("moving_mean") or path.endswith("beta"):
            value = rng.normal(0, 0.1, shape)
        elif path.endswith("gamma"):
            value = rng.uniform(0.8, 1.2, shape)
        else:
            # He-like scale keeps activations O(1) through 36 convolutions.
            fan_in = int(np.prod(shape[:-1])) if len(shape) > 1 else 1
            value = rng.normal(0, np.sqrt(1.0 / fan_in), shape)
        w.assign(value.astype(np.float32))


def xception(size):
    return keras.applications.Xception(weights=None, include_top=False, input_shape=(size, size, 3))


def transfer(base, dropout):
    """The recipe's model (REFERENCE.md): Rescaling → base(training=False) → GAP → Dropout → Dense(1)."""
    inputs = keras.Input(base.input_shape[1:])
    x = layers.Rescaling(1 / 127.5, offset=-1)(inputs)
    x = base(x, training=False)
    x = layers.GlobalAveragePooling2D()(x)
    x = layers.Dropout(dropout)(x)
    return keras.Model(inputs, layers.Dense(1)(x))


def _downsample_block(x, block, filters, leading_relu, bn):
    """xfer's xception_blocks.ts downsampleBlock, which is Keras' Xception entry-flow block."""
    residual = layers.Conv2D(filters[1], 1, strides=2, padding="same", use_bias=False)(x)
    residual = bn(None)(residual)
    p = f"block{block}"
    y = layers.Activation("relu", name=f"{p}_sepconv1_act")(x) if leading_relu else x
    y = layers.SeparableConv2D(filters[0], 3, padding="same", use_bias=False, name=f"{p}_sepconv1")(y)
    y = bn(f"{p}_sepconv1_bn")(y)
    y = layers.Activation("relu", name=f"{p}_sepconv2_act")(y)
    y = layers.SeparableConv2D(filters[1], 3, padding="same", use_bias=False, name=f"{p}_sepconv2")(y)
    y = bn(f"{p}_sepconv2_bn")(y)
    y = layers.MaxPooling2D(3, strides=2, padding="same", name=f"{p}_pool")(y)
    return layers.add([y, residual])


def mini_xception(size, widths):
    """xfer's demo base (packages/trainer/src/models/mini_xception.ts) written in Keras."""

    def bn(name):
        return layers.BatchNormalization(epsilon=1e-3, momentum=0.9, name=name)

    inputs = keras.Input((size, size, 3))
    x = inputs
    for i, f in enumerate(widths["entry"]):
        name = f"block1_conv{i + 1}"
        x = layers.Conv2D(f, 3, strides=2, use_bias=False, name=name)(x)
        x = bn(f"{name}_bn")(x)
        x = layers.Activation("relu", name=f"{name}_act")(x)
    for i, f in enumerate(widths["blocks"]):
        x = _downsample_block(x, i + 2, (f, f), i > 0, bn)
    block = len(widths["blocks"]) + 2
    for i, f in enumerate(widths["exit"]):
        name = f"block{block}_sepconv{i + 1}"
        x = layers.SeparableConv2D(f, 3, padding="same", use_bias=False, name=name)(x)
        x = bn(f"{name}_bn")(x)
        x = layers.Activation("relu", name=f"{name}_act")(x)
    return keras.Model(inputs, x, name="mini_xception")


def save_legacy(model, path):
    with h5py.File(path, "w") as f:
        legacy_h5_format.save_weights_to_hdf5_group(f, model)


def param_counts(model):
    trainable = sum(int(np.prod(w.shape)) for w in model.trainable_weights)
    non_trainable = sum(int(np.prod(w.shape)) for w in model.non_trainable_weights)
    return {"total": model.count_params(), "trainable": trainable, "nonTrainable": non_trainable}


def head_values(model):
    kernel, bias = model.layers[-1].get_weights()
    return np.concatenate([kernel.reshape(-1), bias]).astype(np.float32)


def set_head(model, values):
    model.layers[-1].set_weights([values[:-1].reshape(-1, 1), values[-1:]])


def make(d, job):
    size = job["size"]
    x = np.load(os.path.join(d, "input.npy"))
    y = np.load(os.path.join(d, "labels.npy")).reshape(-1, 1)
    base = xception(size)
    randomize(base, job["seed"])
    save_legacy(base, os.path.join(d, "xception_legacy.h5"))
    base.save_weights(os.path.join(d, "xception.weights.h5"))
    np.save(os.path.join(d, "base_out.npy"), np.asarray(base(x / 127.5 - 1, training=False)))

    model = transfer(base, job["dropout"])
    head = np.random.default_rng(job["seed"] + 1).normal(0, 0.05, 2049).astype(np.float32)
    set_head(model, head)
    np.save(os.path.join(d, "head.npy"), head)
    np.save(os.path.join(d, "logits.npy"), np.asarray(model(x, training=False)))
    counts = {"base": param_counts(base)}
    base.trainable = False
    counts["frozen"] = param_counts(model)
    base.trainable = True
    counts["unfrozen"] = param_counts(model)
    with open(os.path.join(d, "counts.json"), "w") as f:
        json.dump(counts, f)

    for phase, lr in [("frozen", 1e-3), ("finetune", 1e-5)]:
        base = xception(size)
        base.load_weights(os.path.join(d, "xception_legacy.h5"))
        model = transfer(base, 0.0)
        set_head(model, head)
        base.trainable = phase == "finetune"
        optimizer = keras.optimizers.Adam(lr)
        loss = keras.losses.BinaryCrossentropy(from_logits=True)
        if phase == "frozen":
            model.compile(optimizer=optimizer, loss=loss)
            model.train_on_batch(x, y)
        else:
            with tf.GradientTape() as tape:
                value = loss(y, model(x, training=False))
            optimizer.apply(tape.gradient(value, model.trainable_variables), model.trainable_variables)
        save_legacy(base, os.path.join(d, f"step_{phase}.h5"))
        np.save(os.path.join(d, f"step_{phase}_head.npy"), head_values(model))


def load(d, job):
    x = np.load(os.path.join(d, "input.npy"))
    for name, spec in job["xfer_files"].items():
        size = x.shape[1]
        model = xception(size) if spec["model"] == "xception" else mini_xception(size, spec["widths"])
        model.load_weights(spec["file"])
        np.save(os.path.join(d, f"{name}_out.npy"), np.asarray(model(x / 127.5 - 1, training=False)))


if __name__ == "__main__":
    command, directory = sys.argv[1], sys.argv[2]
    with open(os.path.join(directory, "job.json")) as f:
        spec = json.load(f)
    {"make": make, "load": load}[command](directory, spec)
