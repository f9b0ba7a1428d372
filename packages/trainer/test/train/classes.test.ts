import { describe, expect, it } from 'vitest';
import { defaultSplits } from '../../src/datasets/split_defaults.js';
import { checkClasses, splitShares } from '../../src/train/classes.js';

describe('the examples line', () => {
  it('says what share each split takes, and warns about unused images', () => {
    const full = splitShares(100, 3, defaultSplits('image-folder'), { train: 80, validation: 10, test: 10 });
    expect(full.line).toBe('examples: 100 images in 3 classes; train 80 (80%, train[:80%]), validation 10 (10%, train[80%:90%]), test 10 (10%, train[90%:])');
    expect(full.unused).toBeUndefined();
    const recipe = splitShares(23262, 2, defaultSplits('cats_vs_dogs-zip'), { train: 9305, validation: 2326, test: 2326 });
    expect(recipe.unused).toBe('the splits use 13957 of 23262 images (60%); 9305 are not used. Pass --train-split, --val-split and --test-split to use them');
  });
});

describe('class lists a classifier cannot train on', () => {
  it('refuses no class, one class and more than 1000, naming the problem', () => {
    expect(() => checkClasses([], '/d')).toThrow('/d: no classes; a classifier needs at least 2');
    expect(() => checkClasses(['only'], '/d')).toThrow('/d: one class (only); a classifier needs at least 2');
    expect(() => checkClasses(Array.from({ length: 1001 }, (_, i) => `c${i}`), '/d')).toThrow('/d: 1001 classes, more than the 1000 xfer trains');
    expect(() => checkClasses(Array.from({ length: 1000 }, (_, i) => `c${i}`), '/d')).not.toThrow();
  });
});
