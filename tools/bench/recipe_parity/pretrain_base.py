"""Pretrains Keras' Xception on the Fashion-MNIST classes the parity run does not use.

ImageNet weights cannot be downloaded here, so this makes the recipe's "pretrained base" the same
way at a small scale: Xception (weights=None, include_top=False) with a new softmax head, trained
from scratch with BatchNorm in training mode on the other classes, then the base alone saved as a
Keras HDF5 weights file in the legacy layout of the ImageNet notop file (layer_names, weight_names,
/<layer>/<layer>/<weight>), which both `base.load_weights` and `xfer train --weights` read.
Run by run.mjs with the reference venv's python:

    python pretrain_base.py --exclude shirt,t_shirt_top --size 71 --per-class 300 \
        --epochs 2 --seed 1337 --out base.h5

It also writes base.h5.json: what was trained and the accuracy it reached on held-out images of
the same classes (from the official test set).
"""

import argparse
import json
import os
import time

import h5py
import keras
import numpy as np
import tensorflow as tf
from keras.src.legacy.saving import legacy_h5_format

import fashion_mnist

HELD_OUT_PER_CLASS = 100


def first_per_class(images, labels, classes, per_class):
    """The first per_class images of each class in file order, labelled by position in classes."""
    picked = [np.flatnonzero(labels == c)[:per_class] for c in classes]
    x = np.concatenate([images[p] for p in picked])
    y = np.concatenate([np.full(len(p), i) for i, p in enumerate(picked)])
    return x, y


def as_rgb(images, size):
    """Gray uint8 28x28 to RGB at size x size, resized as image_dataset_from_directory does."""
    rgb = tf.image.grayscale_to_rgb(tf.constant(images[..., None]))
    return tf.image.resize(rgb, (size, size)).numpy()


def main():
    parser = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    parser.add_argument('--exclude', required=True, help='the parity classes, comma-separated')
    parser.add_argument('--size', type=int, required=True)
    parser.add_argument('--per-class', type=int, required=True)
    parser.add_argument('--epochs', type=int, required=True)
    parser.add_argument('--seed', type=int, required=True)
    parser.add_argument('--out', required=True, help='the .h5 file to write')
    args = parser.parse_args()

    started = time.perf_counter()
    keras.utils.set_random_seed(args.seed)
    excluded = fashion_mnist.class_indices(args.exclude.split(','))
    classes = [c for c in range(len(fashion_mnist.CLASS_NAMES)) if c not in excluded]
    x, y = first_per_class(*fashion_mnist.load('train'), classes, args.per_class)
    x_held, y_held = first_per_class(*fashion_mnist.load('t10k'), classes, HELD_OUT_PER_CLASS)
    x, x_held = as_rgb(x, args.size), as_rgb(x_held, args.size)

    base = keras.applications.Xception(
        weights=None, include_top=False, input_shape=(args.size, args.size, 3))
    # With momentum 0.99 the moving statistics would still be mostly their initial values after
    # these few hundred steps, and the recipe runs the base on exactly those statistics.
    for layer in base.layers:
        if isinstance(layer, keras.layers.BatchNormalization):
            layer.momentum = 0.9
    inputs = keras.Input((args.size, args.size, 3))
    features = base(keras.layers.Rescaling(1 / 127.5, offset=-1)(inputs))
    pooled = keras.layers.GlobalAveragePooling2D()(features)
    model = keras.Model(inputs, keras.layers.Dense(len(classes))(pooled))
    model.compile(
        optimizer=keras.optimizers.Adam(1e-3),
        loss=keras.losses.SparseCategoricalCrossentropy(from_logits=True),
        metrics=['accuracy'],
    )
    history = model.fit(x, y, batch_size=32, epochs=args.epochs, shuffle=True, verbose=2)
    _, held_out_accuracy = model.evaluate(x_held, y_held, batch_size=32, verbose=0)

    with h5py.File(args.out + '.partial', 'w') as f:
        legacy_h5_format.save_weights_to_hdf5_group(f, base)
    os.replace(args.out + '.partial', args.out)
    info = {
        'classes': [fashion_mnist.CLASS_NAMES[c] for c in classes],
        'images': len(x),
        'epochs': args.epochs,
        'size': args.size,
        'seed': args.seed,
        'trainAccuracy': history.history['accuracy'][-1],
        'heldOutImages': len(x_held),
        'heldOutAccuracy': held_out_accuracy,
        'seconds': time.perf_counter() - started,
        'keras': keras.__version__,
        'tensorflow': tf.__version__,
    }
    with open(args.out + '.json', 'w') as f:
        json.dump(info, f, indent=2)
    print(json.dumps(info))


if __name__ == '__main__':
    main()
