import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { NumpyRandomState } from '../../src/datasets/numpy_random.js';

// Produced by numpy itself: tools/fixtures/numpy_shuffle.py.
const fixture = JSON.parse(readFileSync(new URL('../fixtures/numpy_shuffle.json', import.meta.url), 'utf8')) as {
  shuffles: Array<{ seed: number; n: number; shuffled: number[] }>;
  raw: Array<{ seed: number; uint32: number[] }>;
};

describe("numpy's legacy RandomState", () => {
  it('draws the same 32-bit outputs as numpy', () => {
    for (const r of fixture.raw) {
      const rng = new NumpyRandomState(r.seed);
      expect(r.uint32.map(() => rng.nextUint32())).toEqual(r.uint32);
    }
  });

  it('shuffles lists exactly as numpy does', () => {
    expect(fixture.shuffles.length).toBeGreaterThan(20);
    for (const c of fixture.shuffles) {
      const got = new NumpyRandomState(c.seed).shuffle(Array.from({ length: c.n }, (_, i) => i));
      expect(got, `seed ${c.seed}, n ${c.n}`).toEqual(c.shuffled);
    }
  });

  it('refuses seeds numpy refuses', () => {
    expect(() => new NumpyRandomState(-1)).toThrow(RangeError);
    expect(() => new NumpyRandomState(2 ** 32)).toThrow(RangeError);
  });
});
