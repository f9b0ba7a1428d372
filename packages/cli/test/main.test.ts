import path from 'node:path';
import { PassThrough } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { main } from '../src/main.js';
import { resolveTrainConfig } from '../src/commands/train.js';

function capture() {
  const out = new PassThrough();
  const err = new PassThrough();
  let o = '';
  let e = '';
  out.on('data', (d) => (o += d));
  err.on('data', (d) => (e += d));
  return { io: { out: out as unknown as NodeJS.WriteStream, err: err as unknown as NodeJS.WriteStream }, text: () => ({ out: o, err: e }) };
}

describe('xfer CLI', () => {
  it('prints help with examples and exits 0', async () => {
    const c = capture();
    expect(await main(['train', '--help'], c.io)).toBe(0);
    expect(c.text().out).toMatch(/Examples:\n\s+xfer train /);
    expect(c.text().out).toMatch(/--image-size <px>/);
  });

  it('rejects unknown flags and bad values with exit code 2 and says what is valid', async () => {
    let c = capture();
    expect(await main(['train', '--epochz', '3'], c.io)).toBe(2);
    expect(c.text().err).toMatch(/unknown option '--epochz'/);
    c = capture();
    expect(await main(['train', '--epochs', '0'], c.io)).toBe(2);
    expect(c.text().err).toMatch(/--epochs must be a positive integer, got '0'/);
    c = capture();
    expect(await main(['train', '--dropout', '1.5'], c.io)).toBe(2);
    expect(c.text().err).toMatch(/dropout must be in \[0, 1\)/);
  });

  it("fills the recipe's defaults and the demo's own epochs, and leaves splits not given to the source's kind", () => {
    const base = { model: 'mini-xception' as const, weights: 'none', demoPerClass: 600, demoMinSize: 200, demoMaxSize: 500, imageSize: 150, batchSize: 32, lr: 1e-3, dropout: 0.2, flip: true, rotation: 0.1, prefetch: 10, cache: 'memory', seed: 1, out: 'runs', kerasAccuracy: false, quiet: false };
    const real = resolveTrainConfig({ ...base, data: '/data/cats' });
    expect(real.splits).toEqual({ train: undefined, validation: undefined, test: undefined });
    expect(real.epochs).toBe(20);
    expect([real.fineTuneEpochs, real.learningRate, real.fineTuneLearningRate]).toEqual([10, 1e-3, 1e-5]);
    const demo = resolveTrainConfig({ ...base, data: 'demo', trainSplit: 'train[:50%]' });
    expect(demo.splits).toEqual({ train: 'train[:50%]', validation: undefined, test: undefined });
    expect(demo.accuracyRule).toBe('logit0');
    expect([demo.epochs, demo.fineTuneEpochs, demo.fineTuneLearningRate]).toEqual([3, 1, 1e-4]);
    expect(resolveTrainConfig({ ...base, data: 'demo', kerasAccuracy: true }).accuracyRule).toBe('keras');
  });

  it('pretrains the small base for the demo unless told otherwise', () => {
    const base = { model: 'mini-xception' as const, demoPerClass: 600, demoMinSize: 200, demoMaxSize: 500, imageSize: 150, batchSize: 32, lr: 1e-3, dropout: 0.2, flip: true, rotation: 0.1, prefetch: 10, cache: 'memory', seed: 1, out: 'runs', kerasAccuracy: false, quiet: false };
    expect(resolveTrainConfig({ ...base, data: 'demo' }).weights).toBe('demo');
    expect(resolveTrainConfig({ ...base, data: 'demo', weights: 'none' }).weights).toBe('none');
    expect(resolveTrainConfig({ ...base, data: 'demo', model: 'xception' }).weights).toBe('none');
    expect(resolveTrainConfig({ ...base, data: '/data/cats' }).weights).toBe('none');
  });

  it('writes TensorBoard logs only when asked, a folder given kept absolute for --resume', () => {
    const base = { data: 'demo', model: 'mini-xception' as const, demoPerClass: 600, demoMinSize: 200, demoMaxSize: 500, imageSize: 150, batchSize: 32, lr: 1e-3, dropout: 0.2, flip: true, rotation: 0.1, prefetch: 10, cache: 'memory', seed: 1, out: 'runs', kerasAccuracy: false, quiet: false };
    expect(resolveTrainConfig(base).tensorboard).toBeUndefined();
    expect(resolveTrainConfig({ ...base, tensorboard: true }).tensorboard).toEqual({ dir: undefined, updateFreq: undefined });
    expect(resolveTrainConfig({ ...base, tensorboard: 'tb' }).tensorboard!.dir).toBe(path.resolve('tb'));
    expect(resolveTrainConfig({ ...base, tensorboardUpdateFreq: 5 }).tensorboard).toEqual({ dir: undefined, updateFreq: 5 });
    expect(resolveTrainConfig({ ...base, tensorboardHistogramFreq: 2 }).tensorboard).toEqual({ dir: undefined, histogramFreq: 2 });
  });
});
