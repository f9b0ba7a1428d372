import type { Example } from '../datasets/example.js';
import type { Splits } from '../datasets/split_defaults.js';
import { DatasetError } from '../errors.js';
import { balancedClassWeights } from './metrics.js';

/** More classes than this is far more than a transfer head on a few images per class can learn. */
export const MAX_CLASSES = 1000;

/** Refuses a class list a classifier cannot be trained on, naming the problem. */
export function checkClasses(classNames: readonly string[], location: string): void {
  if (classNames.length < 2) {
    throw new DatasetError(`${location}: ${classNames.length === 1 ? `one class (${classNames[0]})` : 'no classes'}; a classifier needs at least 2 (one subfolder of images per class)`);
  }
  if (classNames.length > MAX_CLASSES) throw new DatasetError(`${location}: ${classNames.length} classes, more than the ${MAX_CLASSES} xfer trains`);
}

/**
 * The weight of each class for Keras' class_weight: 'balanced' from the training split's labels,
 * or by class name (classes not named weigh 1); undefined when off.
 */
export function classWeights(spec: 'balanced' | Record<string, number> | undefined, classNames: readonly string[], train: readonly Example[]): number[] | undefined {
  if (spec === undefined) return undefined;
  if (spec === 'balanced') return balancedClassWeights(train.map((e) => e.label), classNames.length);
  for (const [name, w] of Object.entries(spec)) {
    if (!classNames.includes(name)) throw new DatasetError(`class weight for '${name}': no such class (the classes are ${classNames.join(', ')})`);
    if (!(Number.isFinite(w) && w >= 0)) throw new DatasetError(`class weight for '${name}' must be a number >= 0, got ${w}`);
  }
  return classNames.map((c) => spec[c] ?? 1);
}

/**
 * What the splits take of the dataset, as one line, and a warning when they leave images unused
 * (the recipe's 40/10/10 of cats_vs_dogs does, on purpose).
 */
export function splitShares(total: number, classes: number, splits: Splits, sizes: Record<keyof Splits, number>): { line: string; unused?: string } {
  const pct = (n: number) => `${total > 0 ? Math.round((n / total) * 1000) / 10 : 0}%`;
  const parts = (Object.keys(sizes) as (keyof Splits)[]).map((k) => `${k} ${sizes[k]} (${pct(sizes[k])}, ${splits[k]})`);
  const used = sizes.train + sizes.validation + sizes.test;
  const line = `examples: ${total} images in ${classes} classes; ${parts.join(', ')}`;
  if (used >= total) return { line };
  return { line, unused: `the splits use ${used} of ${total} images (${pct(used)}); ${total - used} are not used. Pass --train-split, --val-split and --test-split to use them` };
}
