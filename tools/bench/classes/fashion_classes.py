"""The Python half of the classes benchmark (run.mjs), run with the reference venv's python.

    python fashion_classes.py write --classes trouser,bag,... --per-class 500 --seed 1337 --out DIR
    python fashion_classes.py linear --splits SPLITS.json --size 32 --epochs 6 --seed 1337 --out RESULT.json

`write` makes a folder of class folders of PNGs holding N images per named Fashion-MNIST class,
drawn without replacement with a seeded RandomState from the official training images, so the
same arguments always give the same files. The idx reading and class names come from
recipe_parity/fashion_mnist.py (imported, not copied). A finished folder (it holds .complete) is
reused; a partial one is replaced.

`linear` is the baseline of the first table: softmax regression (Flatten -> Dense(classes)) in
Keras on the files of xfer's own splits (SPLITS.json, as `xfer data split --json` lists them),
decoded and rescaled as xfer's model sees them: RGB, bilinear resize to size x size, x/127.5 - 1.
It trains with Adam (1e-3), batch 32, sparse categorical cross-entropy, the same as xfer's head,
without augmentation, and writes test accuracy, macro F1 and times as JSON.
"""

import argparse
import json
import os
import shutil
import sys
import time

import numpy as np

# The import below would otherwise leave a __pycache__ in recipe_parity/, which .gitignore does not cover.
sys.dont_write_bytecode = True
sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), '..', 'recipe_parity'))
import fashion_mnist  # noqa: E402  (the shared idx reader, next door)


def write(names, per_class, seed, out):
    """out/<class>/<index>.png for per_class seeded picks of each class; False when already there."""
    if os.path.exists(os.path.join(out, '.complete')):
        return False
    import tensorflow as tf  # slow to import; only the one-time PNG encoding needs it

    images, labels = fashion_mnist.load('train')
    partial = out + '.partial'
    shutil.rmtree(partial, ignore_errors=True)
    for name, label in zip(names, fashion_mnist.class_indices(names)):
        candidates = np.flatnonzero(labels == label)
        if per_class > len(candidates):
            raise SystemExit(f'{name} has {len(candidates)} training images, asked for {per_class}')
        # One RandomState per class, seeded by (seed, label): a class's picks do not depend on
        # which other classes are written with it.
        picks = np.sort(np.random.RandomState([seed, int(label)]).choice(candidates, per_class, replace=False))
        folder = os.path.join(partial, name)
        os.makedirs(folder)
        for index in picks:
            with open(os.path.join(folder, f'{index:05d}.png'), 'wb') as f:
                f.write(tf.io.encode_png(images[index][:, :, None]).numpy())
    open(os.path.join(partial, '.complete'), 'w').close()
    shutil.rmtree(out, ignore_errors=True)
    os.rename(partial, out)
    return True


def linear(splits_file, size, epochs, seed, out):
    import keras
    import tensorflow as tf

    started = time.perf_counter()
    splits = json.load(open(splits_file))
    classes = len(splits['classNames'])

    def pixels(examples):
        # As xfer feeds its model: 3 channels, bilinear resize, then its Rescaling(1/127.5, -1).
        x = np.stack([tf.image.resize(tf.io.decode_png(tf.io.read_file(e['source']), channels=3), (size, size)).numpy()
                      for e in examples])
        return x / 127.5 - 1, np.array([e['label'] for e in examples])

    data = {name: pixels(splits[name]) for name in ('train', 'validation', 'test')}
    keras.utils.set_random_seed(seed)
    model = keras.Sequential([keras.Input((size, size, 3)), keras.layers.Flatten(), keras.layers.Dense(classes)])
    model.compile(optimizer=keras.optimizers.Adam(1e-3),
                  loss=keras.losses.SparseCategoricalCrossentropy(from_logits=True), metrics=['accuracy'])
    fit_started = time.perf_counter()
    history = model.fit(*data['train'], validation_data=data['validation'], batch_size=32, epochs=epochs,
                        shuffle=True, verbose=0).history
    fit_seconds = time.perf_counter() - fit_started
    x, y = data['test']
    predicted = model.predict(x, batch_size=256, verbose=0).argmax(axis=1)
    confusion = np.zeros((classes, classes), int)
    np.add.at(confusion, (y, predicted), 1)
    tp = np.diag(confusion).astype(float)
    precision = np.divide(tp, confusion.sum(0), out=np.zeros(classes), where=confusion.sum(0) > 0)
    recall = np.divide(tp, confusion.sum(1), out=np.zeros(classes), where=confusion.sum(1) > 0)
    f1 = np.divide(2 * precision * recall, precision + recall, out=np.zeros(classes), where=precision + recall > 0)
    result = {
        'keras': keras.__version__, 'tensorflow': tf.__version__, 'params': model.count_params(),
        'counts': {k: len(v[1]) for k, v in data.items()},
        'valAccuracy': history['val_accuracy'][-1],
        'test': {'accuracy': float(tp.sum() / len(y)), 'macroF1': float(f1.mean()), 'confusion': confusion.tolist()},
        'fitSeconds': fit_seconds, 'imagesPerSec': epochs * len(data['train'][1]) / fit_seconds,
        'seconds': time.perf_counter() - started,  # decoding included; the process start is not
    }
    json.dump(result, open(out, 'w'), indent=2)


def main():
    parser = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    commands = parser.add_subparsers(dest='command', required=True)
    w = commands.add_parser('write', help='write N images per class as class folders')
    w.add_argument('--classes', required=True, help='comma-separated class names')
    w.add_argument('--per-class', type=int, required=True)
    w.add_argument('--seed', type=int, default=1337)
    w.add_argument('--out', required=True)
    lin = commands.add_parser('linear', help='softmax regression on the files of xfer splits')
    lin.add_argument('--splits', required=True, help='JSON: classNames, train, validation, test')
    lin.add_argument('--size', type=int, default=32)
    lin.add_argument('--epochs', type=int, default=6)
    lin.add_argument('--seed', type=int, default=1337)
    lin.add_argument('--out', required=True)
    args = parser.parse_args()
    if args.command == 'write':
        made = write(args.classes.split(','), args.per_class, args.seed, args.out)
        print(('wrote' if made else 'using') + f' {args.out}')
    else:
        linear(args.splits, args.size, args.epochs, args.seed, args.out)


if __name__ == '__main__':
    main()
