import { beforeAll, describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs-core';
import type * as tfl from '@tensorflow/tfjs-layers';
import { pickBackend } from '../../src/backend/pick_backend.js';
import { miniXception } from '../../src/models/mini_xception.js';
import { transferModel } from '../../src/models/transfer_model.js';
import type { Callback, EpochLogs } from '../../src/train/callbacks.js';
import { EarlyStopping } from '../../src/train/early_stopping.js';
import { fitFrozenOnFeatures } from '../../src/train/feature_cache.js';
import { fit } from '../../src/train/fit.js';
import type { SplitLoader } from '../../src/data/split_loader.js';
import { loaderOf, syntheticSplit, type SyntheticSplit } from './synthetic_split.js';

// Reddish images are class 1, bluish class 0: pooled features of a frozen random base separate them.
function tints(count: number, seed: number, size = 32): Promise<SyntheticSplit> {
  return syntheticSplit(count, seed, size, (label, rnd) => {
    const warm = label === 1;
    return [(warm ? 150 : 60) + Math.floor(rnd() * 80), 60 + Math.floor(rnd() * 80), (warm ? 60 : 150) + Math.floor(rnd() * 80)];
  });
}

/** Records the Loader epochs a loop asks the split for. */
function spy(loader: SplitLoader): number[] {
  const asked: number[] = [];
  const epoch = loader.epoch.bind(loader);
  loader.epoch = (e: number) => {
    asked.push(e);
    return epoch(e);
  };
  return asked;
}

const widths = { entry: [4, 8] as [number, number], blocks: [8], exit: [8, 16] as [number, number] };

/** A frozen transfer model; `like` copies another's weights, so two models start equal. */
function frozen(like?: tfl.LayersModel): { base: tfl.LayersModel; model: tfl.LayersModel } {
  const base = miniXception({ inputShape: [32, 32, 3], widths, seed: 7 });
  const model = transferModel(base, { dropout: 0, seed: 8 });
  base.trainable = false;
  if (like) model.setWeights(like.getWeights().map((w) => tf.tensor((w.dataSync() as Float32Array).slice(), w.shape)));
  return { base, model };
}

const weightsOf = (m: tfl.LayersModel) => m.getWeights().map((w) => Array.from(w.dataSync()));

describe('the frozen phase on cached features', () => {
  beforeAll(async () => {
    await pickBackend('wasm');
  });

  const augment = { flip: 'horizontal', rotation: 0.1 } as const;

  // The training Loader's epochs carry the flip and rotation draws (run_splits.test.ts checks the
  // pixels); here the views are shown to be exactly those epochs, the ones the plain loop trains on.
  it("trains epochs 1..K on exactly the plain loop's batches: its Loader epochs, augmented, in the same order", async () => {
    const trainSplit = await tints(48, 1);
    const valSplit = await tints(16, 2);
    const loaders = () => ({
      train: loaderOf(trainSplit, { batchSize: 16, shuffle: true, seed: 5, augment }),
      val: loaderOf(valSplit, { batchSize: 16 }),
    });
    const plain = frozen();
    const cached = frozen(plain.model);
    const baseBefore = weightsOf(cached.base);
    const o = { phase: 'frozen', epochs: 3, learningRate: 5e-2, seed: 3, earlierEpochs: 2 };
    const a = loaders();
    const plainAsked = spy(a.train);
    const want = await fit(plain.model, a.train, a.val, o);
    const b = loaders();
    const cachedAsked = spy(b.train);
    const got = await fitFrozenOnFeatures(cached.model, cached.base, b.train, b.val, { ...o, views: 3 });
    expect(plainAsked).toEqual([3, 4, 5]);
    expect(cachedAsked).toEqual([3, 4, 5]);
    got.forEach((h, i) => {
      expect(h.loss).toBeCloseTo(want[i]!.loss, 5);
      expect(h.valLoss).toBeCloseTo(want[i]!.valLoss, 5);
      expect(h.valAccuracy).toBe(want[i]!.valAccuracy);
    });
    expect(got.at(-1)!.loss).toBeLessThan(got[0]!.loss);
    expect(weightsOf(cached.base)).toEqual(baseBefore);
  }, 120_000);

  it('reuses view (e - 1) mod K after K epochs, in a new order, and leaks no tensors', async () => {
    const { base, model } = frozen();
    const train = loaderOf(await tints(32, 4), { batchSize: 8, shuffle: true, seed: 1, augment });
    const val = loaderOf(await tints(16, 5), { batchSize: 8 });
    const before = tf.memory().numTensors;
    const batches: number[] = [];
    const asked = spy(train);
    const history = await fitFrozenOnFeatures(model, base, train, val, {
      phase: 'frozen', epochs: 3, learningRate: 1e-2, seed: 1, views: 2, callbacks: [{ onBatchEnd: (b) => void batches.push(b.batch) }],
    });
    expect(history.map((h) => h.epoch)).toEqual([1, 2, 3]);
    expect(batches).toEqual([1, 2, 3, 4, 1, 2, 3, 4, 1, 2, 3, 4]);
    expect(tf.memory().numTensors).toBe(before);
    // Two views, each one augmented Loader epoch; epoch 3 reorders view 0 instead of a third pass.
    expect(asked).toEqual([1, 2]);
  });

  it('stops early and restores the best weights, as the plain loop does', async () => {
    const { base, model } = frozen();
    const train = loaderOf(await tints(32, 6), { batchSize: 8, shuffle: true, seed: 2, augment });
    const val = loaderOf(await tints(16, 7), { batchSize: 8 });
    // A learning rate far too high makes the validation loss climb after the first epochs.
    const stopper = new EarlyStopping(model, { monitor: 'valLoss', patience: 0, restoreBestWeights: true });
    const snapshots: number[][][] = [];
    const snapshot: Callback = { onEpochEnd: () => void snapshots.push(weightsOf(model)) };
    const history: EpochLogs[] = await fitFrozenOnFeatures(model, base, train, val, {
      phase: 'frozen', epochs: 12, learningRate: 30, seed: 4, views: 2, callbacks: [snapshot, stopper],
    });
    expect(history.length).toBeLessThan(12);
    expect(stopper.bestEpoch).toBeGreaterThanOrEqual(1);
    expect(weightsOf(model)).toEqual(snapshots[stopper.bestEpoch - 1]);
  });

  it('stops at the next batch once aborted, rejecting with the reason', async () => {
    const { base, model } = frozen();
    const train = loaderOf(await tints(32, 8), { batchSize: 8, shuffle: true, seed: 3, augment });
    const val = loaderOf(await tints(8, 9), { batchSize: 8 });
    const abort = new AbortController();
    const seen: number[] = [];
    const run = fitFrozenOnFeatures(model, base, train, val, {
      phase: 'frozen', epochs: 3, learningRate: 1e-2, seed: 1, views: 1, signal: abort.signal,
      callbacks: [{ onBatchEnd: (b) => { seen.push(b.batch); if (b.batch === 2) abort.abort(new Error('stop here')); } }],
    });
    await expect(run).rejects.toThrow('stop here');
    expect(seen).toEqual([1, 2]);
  });
});
