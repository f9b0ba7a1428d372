import { promises as fs } from 'node:fs';
import path from 'node:path';
import { SplitLoader } from '../data/split_loader.js';
import type { DemoOptions } from '../datasets/demo_set.js';
import { openDataset } from '../datasets/open_dataset.js';
import { xferCacheDir } from '../fs/cache_dir.js';
import { miniXception } from '../models/mini_xception.js';
import { transferModel } from '../models/transfer_model.js';
import { writeKerasH5 } from '../weights/keras_legacy_h5.js';
import { fit } from './fit.js';
import { runSeeds } from './seeds.js';

/** Options of {@link demoPretrainedWeights}. */
export interface DemoPretrainedOptions {
  /** Input side of the base, as the run that will load the weights. */
  imageSize: number;
  /** Images per class of the pretraining set (a separate demo set, drawn with another seed). */
  perClass: number;
  /** Epochs of pretraining. */
  epochs: number;
  seed: number;
  threads?: number;
  /** Where the .h5 is kept; default `$XFER_CACHE_DIR/weights`. */
  dir?: string;
  onInfo?: (line: string) => void;
}

/** Bumped when the pretraining changes, so older cached weights are not reused. */
const VERSION = 2;
/** The pretraining set's generator seed: the demo uses seed 1, so the two sets share no image. */
const PRETRAIN_DATA_SEED = 2;

/**
 * The demo's stand-in for ImageNet weights: the small base trained on a separate demo set (its own
 * images, the same kind of task, as ImageNet's cat and dog classes are for cats_vs_dogs), saved as
 * a Keras-layout .h5 in the cache. The demo then runs the real recipe on it: .h5 import, the frozen
 * phase with BatchNorm in inference mode, and the fine-tune. Made once per (size, set, epochs, seed).
 */
export async function demoPretrainedWeights(o: DemoPretrainedOptions): Promise<string> {
  const dir = o.dir ?? path.join(xferCacheDir(), 'weights');
  const file = path.join(dir, `mini_xception-demo-pretrained-v${VERSION}-${o.imageSize}px-${o.perClass}x2-${o.epochs}e-s${o.seed}.h5`);
  if (await fs.stat(file).catch(() => null)) return file;

  o.onInfo?.(`pretraining the demo base (${2 * o.perClass} images of a separate demo set, ${o.epochs} epochs); kept at ${file}`);
  const demo: DemoOptions = { perClass: o.perClass, seed: PRETRAIN_DATA_SEED, broken: false };
  const { examples } = await openDataset('demo', { demo, onInfo: o.onInfo });
  const size: [number, number] = [o.imageSize, o.imageSize];
  const seeds = runSeeds(o.seed);
  // Every tenth image held out, so the pretraining's validation line means something.
  const train = new SplitLoader(examples.filter((_, i) => i % 10 !== 9), {
    size, batchSize: 32, seed: seeds.loader, shuffle: true, augment: { flip: 'horizontal' }, threads: o.threads,
  });
  const heldOut = new SplitLoader(examples.filter((_, i) => i % 10 === 9), { size, batchSize: 32, threads: o.threads });
  const base = miniXception({ inputShape: [o.imageSize, o.imageSize, 3], seed: seeds.baseInit });
  const model = transferModel(base, { baseBatchNorm: 'batch', seed: seeds.headInit });
  try {
    const history = await fit(model, train, heldOut, { phase: 'pretrain', epochs: o.epochs, learningRate: 1e-3, seed: seeds.phase(0) });
    const last = history[history.length - 1];
    if (last) o.onInfo?.(`pretrained the demo base: held-out accuracy ${(last.valAccuracy * 100).toFixed(1)}%`);
    await fs.mkdir(dir, { recursive: true });
    const tmp = `${file}.${process.pid}.tmp`;
    await writeKerasH5(base, tmp);
    await fs.rename(tmp, file);
  } finally {
    model.dispose();
    await Promise.all([train.close(), heldOut.close()]);
  }
  return file;
}
