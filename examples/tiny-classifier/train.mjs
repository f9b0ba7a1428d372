// Trains a tiny convnet on a folder of class folders (<folder>/<class>/<image>) with
// @xfer/native-preproc feeding tfjs: the Loader decodes, resizes, augments and normalizes in its
// own threads, and each batch reaches the model as a view of the Loader's memory.
//
//   node train.mjs <folder> [epochs]
import { readdirSync } from 'node:fs';
import path from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import * as tfl from '@tensorflow/tfjs-layers';
import { DecodeError, Loader, decode, info } from '@xfer/native-preproc';

const SIZE = 64;
const [folder, epochs = '2'] = process.argv.slice(2);
if (!folder) {
  console.error('usage: node train.mjs <folder of class folders> [epochs]');
  process.exit(2);
}

const classes = readdirSync(folder, { withFileTypes: true }).filter((d) => d.isDirectory()).map((d) => d.name).sort();
const sources = [];
const labels = [];
classes.forEach((name, label) => {
  for (const file of readdirSync(path.join(folder, name)).sort()) {
    sources.push(path.join(folder, name, file));
    labels.push(label);
  }
});
const native = info();
console.log(
  `@xfer/native-preproc ${native.version}: libjpeg-turbo ${native.codecs.libjpegTurbo}, libspng ${native.codecs.libspng}, ` +
    `${native.threads} threads; ${sources.length} files in ${classes.length} classes (${classes.join(', ')})`,
);

// One image at full size. A broken file is a DecodeError that names it, never a crash.
for (const source of sources) {
  try {
    const image = await decode(source);
    console.log(`decode: ${path.relative(folder, source)} is ${image.width}x${image.height}, ${image.channels} channels`);
    break;
  } catch (e) {
    if (!(e instanceof DecodeError)) throw e;
    console.log(`decode: ${e.message}`);
  }
}

const loader = new Loader({
  sources,
  labels,
  size: [SIZE, SIZE],
  batchSize: 16,
  shuffle: true,
  seed: 1,
  augment: { flip: 'horizontal', rotation: 0.1 },
  normalize: { scale: 1 / 127.5, offset: -1 },
  cache: 'memory',
  onError: 'skip',
});

const model = tfl.sequential({
  layers: [
    tfl.layers.conv2d({ inputShape: [SIZE, SIZE, 3], filters: 8, kernelSize: 3, strides: 2, activation: 'relu' }),
    tfl.layers.conv2d({ filters: 16, kernelSize: 3, strides: 2, activation: 'relu' }),
    tfl.layers.globalAveragePooling2d({}),
    tfl.layers.dense({ units: classes.length, activation: 'softmax' }),
  ],
});
model.compile({ optimizer: tf.train.adam(1e-3), loss: 'categoricalCrossentropy', metrics: ['accuracy'] });

for (let epoch = 0; epoch < Number(epochs); epoch++) {
  let seen = 0;
  let lossSum = 0;
  let accSum = 0;
  for await (const b of loader.epoch(epoch)) {
    // The cpu backend may keep the batch's memory as the tensor's: release the slot only after
    // the tensors are disposed.
    const x = tf.tensor4d(b.data, [b.size, SIZE, SIZE, 3]);
    const y = tf.tidy(() => tf.oneHot(tf.tensor1d(b.labels, 'int32'), classes.length).cast('float32'));
    const [loss, acc] = await model.trainOnBatch(x, y);
    tf.dispose([x, y]);
    b.release();
    seen += b.size;
    lossSum += loss * b.size;
    accSum += acc * b.size;
  }
  const s = loader.stats();
  console.log(
    `epoch ${epoch + 1}/${epochs}: ${seen} images, loss ${(lossSum / seen).toFixed(4)}, accuracy ${(accSum / seen).toFixed(3)}, ` +
      `${Math.round(s.imagesPerSec)} img/s from the Loader, ${s.cachedImages} cached, ${s.skipped.length} skipped`,
  );
}
for (const s of loader.stats().skipped) console.log(`skipped ${path.relative(folder, s.source)}: ${s.reason}`);
await loader.close();
