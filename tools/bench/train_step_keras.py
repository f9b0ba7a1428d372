"""Keras peer of tools/bench/train_step.mjs, the reference the others are held against: the
recipe's transfer model built as the Keras transfer-learning guide builds it (Xception at 150x150
without its top, called with training=False, GAP, Dropout(0.2), Dense(1)), on TensorFlow's CPU
runtime. Times training steps as `fit` runs them (the compiled train function, via
train_on_batch on one fixed batch) in the frozen and fine-tune phases and from scratch, and the base's inference
forward on the rescaled batch (base.predict_on_batch, the compiled predict function). Prints one
JSON object on stdout.

  KERAS_BACKEND=tensorflow $(bash tools/reference/venv.sh) tools/bench/train_step_keras.py \
      [--batch 32] [--size 150] [--steps 2] [--threads 2] [--policy float32|mixed_bfloat16]

--policy is Keras' global dtype policy, set before any model is built as the Keras mixed precision
guide sets it; mixed_bfloat16 is the Keras peer of xfer's --precision mixed_bfloat16 (issue 23).
"""
import json

import keras
import numpy as np
import tensorflow as tf

from step_peer import parse_args, timed


def build(size, base_training=False):
    base = keras.applications.Xception(weights=None, include_top=False, input_shape=(size, size, 3))
    inputs = keras.Input(shape=(size, size, 3))
    x = keras.layers.Rescaling(scale=1 / 127.5, offset=-1)(inputs)
    x = base(x, training=None if base_training else False)
    x = keras.layers.GlobalAveragePooling2D()(x)
    x = keras.layers.Dropout(0.2)(x)
    # float32 whatever the policy, as in the Keras mixed precision guide: logits and loss stay fp32.
    outputs = keras.layers.Dense(1, dtype='float32')(x)
    return base, keras.Model(inputs, outputs)


def compile_phase(model, learning_rate):
    # Keras' compile defaults otherwise: jit_compile="auto", steps_per_execution=1, not eager.
    model.compile(optimizer=keras.optimizers.Adam(learning_rate),
                  loss=keras.losses.BinaryCrossentropy(from_logits=True),
                  metrics=[keras.metrics.BinaryAccuracy()])


def options(ap):
    ap.add_argument('--policy', default='float32', help="Keras' global dtype policy, e.g. mixed_bfloat16")


def main():
    a = parse_args(__doc__.split('\n')[0], options)
    tf.config.threading.set_intra_op_parallelism_threads(a.threads)
    # One inter-op thread: ops run one after another, each spread over all cores, as in PyTorch
    # and xfer. More would run Xception's residual branch beside the main path and oversubscribe
    # the cores that every op's intra-op pool already fills.
    tf.config.threading.set_inter_op_parallelism_threads(1)
    keras.utils.set_random_seed(0)
    keras.mixed_precision.set_global_policy(a.policy)
    base, model = build(a.size)
    rng = np.random.default_rng(0)
    x = tf.constant(rng.uniform(0, 255, (a.batch, a.size, a.size, 3)).astype('float32'))
    y = tf.constant((rng.uniform(size=(a.batch, 1)) > 0.5).astype('float32'))
    bn = base.get_layer('block1_conv1_bn')
    phases, jit, bn_mode = {}, {}, {}
    for phase, trainable, lr in (('frozen', False, 1e-3), ('finetune', True, 1e-5)):
        base.trainable = trainable
        compile_phase(model, lr)
        jit[phase] = model.jit_compile  # "auto" as Keras resolved it (off on a CPU-only machine)
        before = bn.moving_mean.numpy()
        phases[phase] = {'ms': timed(lambda: model.train_on_batch(x, y), a.steps)}
        # Keras 3's fit calls the model with training=True, which reaches the unfrozen base past
        # its training=False call (keras-team/keras#20285), unlike the other peers' fine-tune
        # step; the reason reports what the steps did to one BatchNorm layer's moving mean.
        updated = not np.array_equal(before, bn.moving_mean.numpy())
        bn_mode[phase] = 'batch statistics, moving stats updated' if updated else 'inference mode'
    # From scratch: a fresh model whose base is called without training=False, so fit's
    # training=True normalises with batch statistics and updates the moving ones.
    _, scratch = build(a.size, base_training=True)
    compile_phase(scratch, 1e-3)
    phases['scratch'] = {'ms': timed(lambda: scratch.train_on_batch(x, y), a.steps)}
    features = x / 127.5 - 1
    phases['inference'] = {'ms': timed(lambda: base.predict_on_batch(features), a.steps)}
    # What the policy did to the graph: a convolution's output and the logits, not just its name.
    conv = base.get_layer('block1_conv1')
    reason = (f'Keras {keras.__version__} on TF {tf.__version__} CPU ({keras.backend.backend()} backend), '
              f'policy {keras.mixed_precision.global_policy().name} (block1_conv1 computes in {conv.output.dtype}, '
              f'its kernel {conv.kernel.dtype}; logits {model.output.dtype}), '
              f'{a.threads} intra-op / 1 inter-op threads, train_on_batch with compile defaults, '
              f'jit_compile (XLA) frozen {jit["frozen"]} / fine-tune {jit["finetune"]}, '
              f'base BatchNorm frozen: {bn_mode["frozen"]} / fine-tune: {bn_mode["finetune"]}, '
              f'inference base.predict_on_batch (jit_compile {base.jit_compile})')
    label = f'Keras {keras.__version__} on TensorFlow {tf.__version__} CPU, {a.policy}'
    print(json.dumps({'backend': 'keras', 'label': label, 'reason': reason,
                      'batch': a.batch, 'size': a.size, 'steps': a.steps, 'phases': phases}))


if __name__ == '__main__':
    main()
