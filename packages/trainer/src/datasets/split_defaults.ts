import type { DatasetKind } from './open_dataset.js';

/** The three split strings of a run. */
export interface Splits {
  train: string;
  validation: string;
  test: string;
}

/** The Keras recipe's 40/10/10 of cats_vs_dogs: it leaves 40% of the data unused, as the recipe does. */
export const RECIPE_SPLITS: Splits = { train: 'train[:40%]', validation: 'train[40%:50%]', test: 'train[50%:60%]' };
/** Every other source, a user's own data included, uses all of it. */
export const FULL_SPLITS: Splits = { train: 'train[:80%]', validation: 'train[80%:90%]', test: 'train[90%:]' };

/** The splits a run uses for a source: those given, the rest by the source's kind. */
export function defaultSplits(kind: DatasetKind, given: Partial<Splits> = {}): Splits {
  const base = kind === 'cats_vs_dogs-zip' || kind === 'cats_vs_dogs-folder' ? RECIPE_SPLITS : FULL_SPLITS;
  return { train: given.train ?? base.train, validation: given.validation ?? base.validation, test: given.test ?? base.test };
}
