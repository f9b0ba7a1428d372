import type * as tfl from '@tensorflow/tfjs-layers';

/**
 * Gives every Dropout layer of the model the seed for the next training step. tfjs' Dropout draws
 * its mask from `this.seed` at call time, so a fixed seed would repeat one mask at every step; a
 * seed per (run seed, epoch, step) gives fresh masks that a resumed run draws again identically.
 * The field is not in tfjs-layers' typings (4.22), hence the narrow cast.
 */
export function seedDropout(model: tfl.LayersModel, seed: number): void {
  for (const layer of model.layers) {
    if (layer.getClassName() === 'Dropout') (layer as unknown as { seed?: number }).seed = seed;
  }
}

/** The dropout seed of one training step: distinct for every (seed, epoch, step) in a run. */
export function stepSeed(seed: number, epoch: number, step: number): number {
  return (Math.imul(seed, 0x9e3779b1) ^ Math.imul(epoch, 0x85ebca6b) ^ Math.imul(step + 1, 0xc2b2ae35)) >>> 0;
}
