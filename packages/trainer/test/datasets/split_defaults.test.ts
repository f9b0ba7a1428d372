import { describe, expect, it } from 'vitest';
import { defaultSplits } from '../../src/datasets/split_defaults.js';

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
});
