/**
 * Every random stream of a run, derived from its one `--seed` here and nowhere else, so that a
 * resumed run draws what the uninterrupted one would have, and `xfer preview --augment` shows the
 * draws training uses.
 */

/** The run-wide seeds. */
export interface RunSeeds {
  /** Order of a folder-per-class dataset (Keras image_dataset_from_directory's shuffle seed). */
  folderOrder: number;
  /** The base's initial weights. */
  baseInit: number;
  /** The head's initial weights. */
  headInit: number;
  /** The training Loader: its shuffles and augmentation draws, per (seed, Loader epoch). */
  loader: number;
  /** Phase `index`'s own seed: its dropout masks and feature-cache orders. */
  phase(index: number): number;
}

export function runSeeds(seed: number): RunSeeds {
  return {
    folderOrder: seed,
    baseInit: seed,
    headInit: seed + 1_000_003,
    loader: seed,
    phase: (index) => seed + index * 100_003,
  };
}

/**
 * The Loader epoch of a phase's epoch: epochs count on across phases (1, 2, … over the whole run),
 * so the fine-tune draws new augmentations rather than the frozen phase's again. `earlierEpochs`
 * is the sum of the epochs of the phases before.
 */
export function loaderEpoch(earlierEpochs: number, epoch: number): number {
  return earlierEpochs + epoch;
}

/** The dropout masks of one training step: distinct for every (phase seed, epoch, step). */
export function dropoutSeed(phaseSeed: number, epoch: number, step: number): number {
  return (Math.imul(phaseSeed, 0x9e3779b1) ^ Math.imul(epoch, 0x85ebca6b) ^ Math.imul(step + 1, 0xc2b2ae35)) >>> 0;
}

/** The order of a feature-cache epoch that reuses a view (past the first K epochs). */
export function featureOrderSeed(phaseSeed: number, epoch: number): number {
  return (phaseSeed * 1009 + epoch) >>> 0;
}
