import { promises as fs } from 'node:fs';
import path from 'node:path';
import { decodeSplit, type DecodedSplit } from '../data/decoded_split.js';
import type { DemoOptions } from '../datasets/demo.js';
import { xferCacheDir } from '../fs/cache_dir.js';
import { openDataset } from '../datasets/index.js';
import { miniXception } from '../models/mini_xception.js';
import { transferModel } from '../models/transfer_model.js';
import { fit } from '../train/fit.js';
import { writeKerasH5 } from './keras_legacy_h5.js';

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

/** The images for which `keep(i)` holds, and the others, as two splits. */
function partition(split: DecodedSplit, keep: (i: number) => boolean): [DecodedSplit, DecodedSplit] {
  const per = split.size[0] * split.size[1] * 3;
  const pick = (want: boolean): DecodedSplit => {
    const idx = [...Array(split.count).keys()].filter((i) => keep(i) === want);
    const pixels = new Uint8Array(idx.length * per);
    idx.forEach((i, k) => pixels.set(split.pixels.subarray(i * per, (i + 1) * per), k * per));
    return { ...split, count: idx.length, pixels, labels: Int32Array.from(idx, (i) => split.labels[i]!), sources: idx.map((i) => split.sources[i]!), failures: [] };
  };
  return [pick(true), pick(false)];
}

/** Bumped when the pretraining changes, so older cached weights are not reused. */
const VERSION = 1;
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
  const all = await decodeSplit(examples, { size, threads: o.threads });
  // Every tenth image held out, so the pretraining's validation line means something.
  const [train, heldOut] = partition(all, (i) => i % 10 !== 9);
  const base = miniXception({ inputShape: [o.imageSize, o.imageSize, 3], seed: o.seed });
  const model = transferModel(base, { baseBatchNorm: 'batch', seed: o.seed + 1 });
  try {
    const history = await fit(model, train, heldOut, {
      phase: 'pretrain', epochs: o.epochs, batchSize: 32, learningRate: 1e-3, seed: o.seed, flip: true,
    });
    const last = history[history.length - 1];
    if (last) o.onInfo?.(`pretrained the demo base: held-out accuracy ${(last.valAccuracy * 100).toFixed(1)}%`);
    await fs.mkdir(dir, { recursive: true });
    const tmp = `${file}.${process.pid}.tmp`;
    await writeKerasH5(base, tmp);
    await fs.rename(tmp, file);
  } finally {
    model.dispose();
  }
  return file;
}
