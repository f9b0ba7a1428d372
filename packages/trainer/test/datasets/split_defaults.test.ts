import { describe, expect, it } from 'vitest';
import { defaultSplits } from '../../src/datasets/split_defaults.js';
import { splitShares } from '../../src/train/classes.js';

describe('default splits by source', () => {
  it("keeps the recipe's 40/10/10 for cats_vs_dogs and uses 80/10/10 for every other source", () => {
    for (const kind of ['cats_vs_dogs-zip', 'cats_vs_dogs-folder'] as const) {
      expect(defaultSplits(kind)).toEqual({ train: 'train[:40%]', validation: 'train[40%:50%]', test: 'train[50%:60%]' });
    }
    for (const kind of ['demo', 'image-folder'] as const) {
      expect(defaultSplits(kind)).toEqual({ train: 'train[:80%]', validation: 'train[80%:90%]', test: 'train[90%:]' });
    }
    expect(defaultSplits('image-folder', { test: 'train[95%:]' }).test).toBe('train[95%:]');
  });

  it('says what share each split takes, and warns about unused images', () => {
    const full = splitShares(100, 3, defaultSplits('image-folder'), { train: 80, validation: 10, test: 10 });
    expect(full.line).toBe('examples: 100 images in 3 classes; train 80 (80%, train[:80%]), validation 10 (10%, train[80%:90%]), test 10 (10%, train[90%:])');
    expect(full.unused).toBeUndefined();
    const recipe = splitShares(23262, 2, defaultSplits('cats_vs_dogs-zip'), { train: 9305, validation: 2326, test: 2326 });
    expect(recipe.unused).toBe('the splits use 13957 of 23262 images (60%); 9305 are not used. Pass --train-split, --val-split and --test-split to use them');
  });
});
