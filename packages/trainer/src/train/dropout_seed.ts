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
