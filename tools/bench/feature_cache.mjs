#!/usr/bin/env node
// The frozen phase with and without the feature cache, side by side in one run: the same frozen
// base (BatchNorm in inference mode), the same data through fresh Loaders (Keras flip + rotation
// 0.1 on the training split, in the views too), the same epochs; reports each wall time, the
// speed-up and the final val accuracies. The demo base has no pretrained weights, so it is
// "pretrained" by a short whole-model training first, as a stand-in for ImageNet weights.
//
//   node tools/bench/feature_cache.mjs [--epochs 5] [--per-class 300] [--image-size 150] [--views 2] [--pretrain-epochs 3]
import { parseArgs } from 'node:util';
import {
  ensureDemoData, fit, fitFrozenOnFeatures, miniXception, pickBackend, readPetImages, runFrozenBaseNatively, sliceSplit, SplitLoader, transferModel,
} from '@xfer/trainer';

const { values } = parseArgs({ options: {
  epochs: { type: 'string', default: '5' }, 'per-class': { type: 'string', default: '300' },
  'image-size': { type: 'string', default: '150' }, views: { type: 'string', default: '2' },
  'pretrain-epochs': { type: 'string', default: '3' },
} });
const size = Number(values['image-size']);
const epochs = Number(values.epochs);
const backend = await pickBackend();
const demo = await ensureDemoData({ perClass: Number(values['per-class']) });
const { examples } = await readPetImages(demo.root);
// Fresh Loaders for each loop, so each pays its own first decode.
const splits = () => ({
  train: new SplitLoader(sliceSplit(examples, 'train[:80%]'), {
    size: [size, size], batchSize: 32, seed: 1, shuffle: true, augment: { flip: 'horizontal', rotation: 0.1 },
  }),
  val: new SplitLoader(sliceSplit(examples, 'train[80%:]'), { size: [size, size], batchSize: 32 }),
});
const close = async (s) => Promise.all([s.train.close(), s.val.close()]);

const base = miniXception({ inputShape: [size, size, 3] });
const pretrain = transferModel(base, { baseBatchNorm: 'batch' });
const pre = splits();
await fit(pretrain, pre.train, pre.val, { phase: 'pretrain', epochs: Number(values['pretrain-epochs']), learningRate: 1e-3, seed: 1 });
await close(pre);
const weights = base.getWeights().map((w) => w.clone());

async function frozenPhase(cached) {
  const b = miniXception({ inputShape: [size, size, 3] });
  b.setWeights(weights);
  const model = transferModel(b);
  b.trainable = false;
  await runFrozenBaseNatively(b); // as xfer train does on the cpu backend
  const o = { phase: 'frozen', epochs, learningRate: 1e-3, seed: 2, earlierEpochs: Number(values['pretrain-epochs']) };
  const { train, val } = splits();
  const t0 = performance.now();
  const history = cached ? await fitFrozenOnFeatures(model, b, train, val, { ...o, views: Number(values.views) }) : await fit(model, train, val, o);
  const seconds = (performance.now() - t0) / 1000;
  const counts = { train: train.count, val: val.count };
  await close({ train, val });
  return { seconds, valAccuracy: history.at(-1).valAccuracy, counts };
}

const plain = await frozenPhase(false);
const cached = await frozenPhase(true);
console.log(`frozen phase, ${epochs} epochs, ${plain.counts.train} train / ${plain.counts.val} val images at ${size}x${size}, flip + rotation 0.1, backend ${backend.name}`);
console.log(`| loop | wall s | val accuracy |\n|---|--:|--:|`);
console.log(`| plain (base every epoch) | ${plain.seconds.toFixed(1)} | ${plain.valAccuracy.toFixed(4)} |`);
console.log(`| feature cache (${values.views} views) | ${cached.seconds.toFixed(1)} | ${cached.valAccuracy.toFixed(4)} |`);
console.log(`speed-up: ${(plain.seconds / cached.seconds).toFixed(1)}x`);
