"""The Keras side of the recipe parity bench: the transfer-learning recipe, as the user's Keras code
writes it, on the files xfer picked for each split.

The splits file lists the examples of each split in xfer's order ({"classNames": [...], "train":
[{"source", "label"}, ...], "validation": [...], "test": [...]}); they are read as
image_dataset_from_directory reads files (decode to RGB, bilinear resize), cached, batched by 32 and
prefetched. The training split is reshuffled every epoch, as xfer's loader does. Run by run.mjs
with the reference venv's python:

    python keras_recipe.py --splits splits.json --weights base.h5 --size 71 --epochs 2 \
        --fine-tune-epochs 1 --seed 1337 --out keras.json

keras.json gets one record per epoch (xfer's metrics.jsonl fields), the test result, the trainable
parameter counts of each phase, the mode the base's BatchNorm ran in per phase and the versions.
"""

import argparse
import json
import time

import keras
import numpy as np
import tensorflow as tf
from keras import layers

BATCH_SIZE = 32


def dataset(examples, size, shuffle_seed=None):
    paths = [e['source'] for e in examples]
    labels = np.array([[e['label']] for e in examples], np.float32)

    def load(path, label):
        image = tf.io.decode_image(tf.io.read_file(path), channels=3, expand_animations=False)
        return tf.image.resize(image, (size, size)), label

    ds = tf.data.Dataset.from_tensor_slices((paths, labels))
    ds = ds.map(load, num_parallel_calls=tf.data.AUTOTUNE).cache()
    if shuffle_seed is not None:
        ds = ds.shuffle(len(examples), seed=shuffle_seed, reshuffle_each_iteration=True)
    return ds.batch(BATCH_SIZE).prefetch(buffer_size=10)


class EpochLog(keras.callbacks.Callback):
    """Per-epoch records as xfer writes them: seconds include validation, img/s does not."""

    def __init__(self, phase, epochs, images):
        super().__init__()
        self.phase, self.epochs, self.images = phase, epochs, images
        self.records = []

    def on_epoch_begin(self, epoch, logs=None):
        self.started = time.perf_counter()

    def on_test_begin(self, logs=None):
        self.trained = time.perf_counter()

    def on_epoch_end(self, epoch, logs=None):
        self.records.append({
            'phase': self.phase, 'epoch': epoch + 1, 'epochs': self.epochs,
            'loss': logs['loss'], 'accuracy': logs['binary_accuracy'],
            'valLoss': logs['val_loss'], 'valAccuracy': logs['val_binary_accuracy'],
            'seconds': time.perf_counter() - self.started,
            'imagesPerSec': self.images / (self.trained - self.started),
        })


def trainable_params(model):
    return int(sum(np.prod(w.shape) for w in model.trainable_weights))


def main():
    parser = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    parser.add_argument('--splits', required=True)
    parser.add_argument('--weights', required=True, help='the pretrained base, a Keras .h5')
    parser.add_argument('--size', type=int, required=True)
    parser.add_argument('--epochs', type=int, required=True)
    parser.add_argument('--fine-tune-epochs', type=int, required=True)
    parser.add_argument('--seed', type=int, required=True)
    parser.add_argument('--out', required=True)
    args = parser.parse_args()

    keras.utils.set_random_seed(args.seed)
    with open(args.splits) as f:
        splits = json.load(f)
    train_ds = dataset(splits['train'], args.size, shuffle_seed=args.seed)
    validation_ds = dataset(splits['validation'], args.size)
    test_ds = dataset(splits['test'], args.size)

    data_augmentation = keras.Sequential([
        layers.RandomFlip('horizontal'),
        layers.RandomRotation(0.1),
    ])
    base_model = keras.applications.Xception(
        weights=None, input_shape=(args.size, args.size, 3), include_top=False)
    base_model.load_weights(args.weights)
    base_model.trainable = False

    inputs = keras.Input(shape=(args.size, args.size, 3))
    x = data_augmentation(inputs)
    x = layers.Rescaling(scale=1 / 127.5, offset=-1)(x)
    x = base_model(x, training=False)
    x = layers.GlobalAveragePooling2D()(x)
    x = layers.Dropout(0.2)(x)
    outputs = layers.Dense(1)(x)
    model = keras.Model(inputs, outputs)

    history, params, batch_norm = [], {}, {}
    probe = base_model.get_layer('block1_conv1_bn')
    phases = [('frozen', False, 1e-3, args.epochs),
              ('fine-tune', True, 1e-5, args.fine_tune_epochs)]
    for phase, base_trainable, learning_rate, epochs in phases:
        if epochs == 0:
            continue
        base_model.trainable = base_trainable
        model.compile(
            optimizer=keras.optimizers.Adam(learning_rate),
            loss=keras.losses.BinaryCrossentropy(from_logits=True),
            metrics=[keras.metrics.BinaryAccuracy()],
        )
        params[phase] = trainable_params(model)
        log = EpochLog(phase, epochs, len(splits['train']))
        before = probe.moving_mean.numpy()
        model.fit(train_ds, epochs=epochs, validation_data=validation_ds,
                  callbacks=[log], verbose=2)
        history += log.records
        # Keras 3's fit reaches the unfrozen base past its training=False call
        # (keras-team/keras#20285); what one BatchNorm layer's moving mean did says which mode ran.
        moved = not np.array_equal(before, probe.moving_mean.numpy())
        batch_norm[phase] = 'batch statistics' if moved else 'inference mode'

    test = model.evaluate(test_ds, return_dict=True, verbose=0)
    result = {
        'keras': keras.__version__,
        'tensorflow': tf.__version__,
        'backend': keras.backend.backend(),
        'devices': [d.device_type for d in tf.config.list_logical_devices()],
        'trainableParams': params,
        'batchNorm': batch_norm,
        'counts': {name: len(splits[name]) for name in ('train', 'validation', 'test')},
        'history': history,
        'test': {'accuracy': test['binary_accuracy'], 'loss': test['loss'],
                 'count': len(splits['test'])},
    }
    with open(args.out, 'w') as f:
        json.dump(result, f, indent=2)


if __name__ == '__main__':
    main()
