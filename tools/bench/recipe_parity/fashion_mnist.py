"""Fashion-MNIST from Debian's dataset-fashion-mnist package.

Reads the package's idx files and writes a pair (or more) of its classes as a folder of class
folders of grayscale PNGs, the layout both Keras' image_dataset_from_directory and
`xfer train --data <folder>` read. Run by run.mjs with the reference venv's python:

    python fashion_mnist.py --classes shirt,t_shirt_top --out DIR

The folder is written once: a finished one (it holds .complete) is left as it is, and a partial
one is replaced, so an interrupted run never leaves a half-written dataset behind.
"""

import argparse
import gzip
import os
import shutil

import numpy as np

IDX_DIR = '/usr/share/datasets/fashion-mnist'

# The dataset's label order; names are folder-safe ("T-shirt/top" holds a slash).
CLASS_NAMES = ('t_shirt_top', 'trouser', 'pullover', 'dress', 'coat',
               'sandal', 'shirt', 'sneaker', 'bag', 'ankle_boot')


def _read_idx(path, magic):
    with gzip.open(path, 'rb') as f:
        data = f.read()
    found = int.from_bytes(data[0:4], 'big')
    if found != magic:
        raise ValueError(f'{path}: idx magic {found}, expected {magic}')
    dims = [int.from_bytes(data[4 + 4 * i:8 + 4 * i], 'big')
            for i in range(data[3])]
    start = 4 + 4 * len(dims)
    return np.frombuffer(data, np.uint8, offset=start).reshape(dims)


def load(part):
    """Images (N, 28, 28) uint8 and labels (N,) of 'train' or 't10k'."""
    if not os.path.isdir(IDX_DIR):
        raise SystemExit(f'{IDX_DIR} is missing: apt-get install -y dataset-fashion-mnist')
    images = _read_idx(os.path.join(IDX_DIR, f'{part}-images-idx3-ubyte.gz'), 2051)
    labels = _read_idx(os.path.join(IDX_DIR, f'{part}-labels-idx1-ubyte.gz'), 2049)
    return images, labels


def class_indices(names):
    """Label indices of class names; an unknown name stops with the list of known ones."""
    unknown = [n for n in names if n not in CLASS_NAMES]
    if unknown:
        raise SystemExit(f'unknown classes {unknown}; choose from {", ".join(CLASS_NAMES)}')
    return [CLASS_NAMES.index(n) for n in names]


def write_class_folders(names, out):
    """Every official training image of the named classes as out/<class>/<index>.png."""
    if os.path.exists(os.path.join(out, '.complete')):
        return False
    import tensorflow as tf  # slow to import; only the one-time PNG encoding needs it

    images, labels = load('train')
    partial = out + '.partial'
    shutil.rmtree(partial, ignore_errors=True)
    for name, label in zip(names, class_indices(names)):
        folder = os.path.join(partial, name)
        os.makedirs(folder)
        for index in np.flatnonzero(labels == label):
            png = tf.io.encode_png(images[index][:, :, None]).numpy()
            with open(os.path.join(folder, f'{index:05d}.png'), 'wb') as f:
                f.write(png)
    open(os.path.join(partial, '.complete'), 'w').close()
    shutil.rmtree(out, ignore_errors=True)
    os.rename(partial, out)
    return True


def main():
    parser = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    parser.add_argument('--classes', required=True, help='comma-separated class names')
    parser.add_argument('--out', required=True, help='the dataset folder to make')
    args = parser.parse_args()
    made = write_class_folders(args.classes.split(','), args.out)
    print(('wrote' if made else 'using') + f' {args.out}')


if __name__ == '__main__':
    main()
