import { describe, expect, it } from 'vitest';

import {
  parseSplit,
  percentBoundary,
  resolveSplit,
  roundHalfEven,
  selectSplits,
  sliceSplit,
} from '../../src/datasets/split.js';
import { SplitSpecError } from '../../src/errors.js';

const range = (n: number): number[] => Array.from({ length: n }, (_, i) => i);

/**
 * TFDS's boundary for an integer percentage, computed independently with exact integer arithmetic:
 * p·n/100 rounded to the nearest integer, exact halves to the even one (Python's round).
 */
function refBoundary(pct: number, n: number): number {
  const num = Math.abs(pct) * n; // exact: small integers
  const q = Math.floor(num / 100);
  const r = num - q * 100;
  const mag = r > 50 ? q + 1 : r < 50 ? q : q % 2 === 0 ? q : q + 1;
  return pct < 0 && mag !== 0 ? -mag : mag;
}

/** Independent slice: resolve a [from, to) pair of integer percentages (null = open) for n items. */
function refSlice(n: number, from: number | null, to: number | null): [number, number] {
  const abs = (b: number): number => {
    const v = refBoundary(b, n);
    return v < 0 ? n + v : v;
  };
  return [from === null ? 0 : abs(from), to === null ? n : abs(to)];
}

describe('split strings: the cats_vs_dogs recipe', () => {
  const items = range(23262);

  it('gives 9305 / 2326 / 2326 with boundaries [0,9305) [9305,11631) [11631,13957)', () => {
    const train = sliceSplit(items, 'train[:40%]');
    const val = sliceSplit(items, 'train[40%:50%]');
    const test = sliceSplit(items, 'train[50%:60%]');
    expect([train.length, val.length, test.length]).toEqual([9305, 2326, 2326]);
    expect([train[0], train.at(-1)]).toEqual([0, 9304]);
    expect([val[0], val.at(-1)]).toEqual([9305, 11630]);
    expect([test[0], test.at(-1)]).toEqual([11631, 13956]);
    expect(resolveSplit('train[:40%]+train[40%:50%]+train[50%:60%]', { train: 23262 })).toEqual([
      { split: 'train', from: 0, to: 9305 },
      { split: 'train', from: 9305, to: 11631 },
      { split: 'train', from: 11631, to: 13957 },
    ]);
  });

  it('keeps the items themselves, in order', () => {
    const letters = ['a', 'b', 'c', 'd', 'e', 'f', 'g', 'h', 'i', 'j'];
    expect(sliceSplit(letters, 'train[20%:50%]')).toEqual(['c', 'd', 'e']);
    expect(sliceSplit(letters, 'train')).toEqual(letters);
    expect(sliceSplit(letters, 'train')).not.toBe(letters);
  });
});

describe('split strings: rounding', () => {
  it('rounds exact halves to even, like Python round() in TFDS', () => {
    expect(percentBoundary(50, 5)).toBe(2); // 2.5 -> 2 (Math.round would say 3)
    expect(percentBoundary(50, 7)).toBe(4); // 3.5 -> 4
    expect(percentBoundary(50, 1)).toBe(0); // 0.5 -> 0
    expect(percentBoundary(50, 3)).toBe(2); // 1.5 -> 2
    expect(percentBoundary(-50, 5)).toBe(-2); // -2.5 -> -2
    expect(percentBoundary(10, 25)).toBe(2); // 2.5 -> 2
    expect(percentBoundary(10, 35)).toBe(4); // 3.5 -> 4
    expect(sliceSplit(range(5), 'train[:50%]')).toEqual([0, 1]);
    expect(sliceSplit(range(5), 'train[-50%:]')).toEqual([3, 4]);
    expect(sliceSplit(range(5), 'train[50%:]')).toEqual([2, 3, 4]);
  });

  it('roundHalfEven matches the integer reference and Math.round off the ties', () => {
    for (let k = -400; k <= 400; k++) {
      const x = k / 4; // quarters: exact halves included
      const expected = (() => {
        const f = Math.floor(x);
        const d = x - f;
        if (d !== 0.5) return Math.round(x) + 0; // + 0 turns -0 into 0
        return f % 2 === 0 ? f : f + 1;
      })();
      expect(roundHalfEven(x)).toBe(expected);
    }
    expect(Object.is(percentBoundary(-0, 10), 0)).toBe(true);
  });

  it('agrees with an independent computation on many sizes and bounds', () => {
    const sizes = [...range(260), 999, 1000, 1001, 12345, 23262, 25000, 99_999, 1_000_003];
    const bounds: [number | null, number | null][] = [
      [null, 40], [40, 50], [50, 60], [-10, null], [null, -10], [10, 90], [33, 67], [-75, -25], [0, 100],
      [1, 2], [null, 50], [50, null], [-50, null], [-100, 100], [25, 75], [null, 1], [99, null],
    ];
    let checked = 0;
    let ties = 0;
    for (const n of sizes) {
      const items = range(n);
      for (const [from, to] of bounds) {
        const spec = `train[${from ?? ''}%:${to ?? ''}%]`.replace('[%', '[').replace(':%]', ':]');
        const [a, b] = refSlice(n, from, to);
        const got = sliceSplit(items, spec);
        expect(got.length, `${spec} of ${n}`).toBe(Math.max(0, b - a));
        if (got.length) expect([got[0], got.at(-1)], `${spec} of ${n}`).toEqual([a, b - 1]);
        for (const p of [from, to]) {
          if (p === null) continue;
          const raw = (p * n) / 100;
          if ((Math.abs(p) * n) % 100 === 50) ties++;
          else expect(percentBoundary(p, n), `round(${p}% of ${n})`).toBe(Math.round(raw) + 0);
        }
        checked++;
      }
    }
    expect(checked).toBeGreaterThan(4000);
    expect(ties).toBeGreaterThan(20); // the tie rule was exercised
  });
});

describe('split strings: grammar', () => {
  const items = range(1000);

  it('supports absolute and negative indices', () => {
    expect(sliceSplit(items, 'train[100:200]')).toEqual(range(100).map((i) => i + 100));
    expect(sliceSplit(items, 'train[:1000]')).toEqual(items);
    expect(sliceSplit(items, 'train[:10]')).toEqual(range(10));
    expect(sliceSplit(items, 'train[-3:]')).toEqual([997, 998, 999]);
    expect(sliceSplit(items, 'train[:-997]')).toEqual([0, 1, 2]);
    expect(sliceSplit(items, 'train[-5:-3]')).toEqual([995, 996]);
    expect(sliceSplit(items, 'train[-1000:3]')).toEqual([0, 1, 2]);
    expect(sliceSplit(items, 'train[1_0:1_2]')).toEqual([10, 11]);
  });

  it('supports negative percentages and decimals', () => {
    expect(sliceSplit(items, 'train[-10%:]')).toEqual(range(100).map((i) => i + 900));
    expect(sliceSplit(items, 'train[:-99%]')).toEqual(range(10));
    expect(sliceSplit(items, 'train[:0.5%]')).toEqual(range(5));
    expect(sliceSplit(items, 'train[99.5%:]')).toEqual(range(5).map((i) => i + 995));
    expect(sliceSplit(items, 'train[.5%:1.%]')).toEqual(range(5).map((i) => i + 5));
  });

  it('concatenates + unions in order, overlaps included', () => {
    const n = 23262;
    const u = sliceSplit(range(n), 'train[:10%]+train[-10%:]');
    expect(u.length).toBe(2326 + 2326);
    expect(u.slice(0, 2)).toEqual([0, 1]);
    expect(u[2325]).toBe(2325);
    expect(u[2326]).toBe(n - 2326);
    expect(u.at(-1)).toBe(n - 1);
    expect(sliceSplit(range(10), 'train[:2] + train[1:3]+  train[-1:]')).toEqual([0, 1, 1, 2, 9]);
    expect(sliceSplit(range(10), 'train[-2:]+train[:2]')).toEqual([8, 9, 0, 1]);
  });

  it('gives nothing when the start lies after the end', () => {
    expect(sliceSplit(items, 'train[50:10]')).toEqual([]);
    expect(sliceSplit(items, 'train[60%:40%]')).toEqual([]);
    expect(sliceSplit([], 'train[:50%]')).toEqual([]);
  });

  it('handles several named splits and "all"', () => {
    const splits = { train: ['t0', 't1', 't2', 't3'], test: ['x0', 'x1'] };
    expect(selectSplits(splits, 'test+train[:50%]')).toEqual(['x0', 'x1', 't0', 't1']);
    expect(selectSplits(splits, 'all')).toEqual(['t0', 't1', 't2', 't3', 'x0', 'x1']);
    expect(sliceSplit(['a', 'b'], 'validation', 'validation')).toEqual(['a', 'b']);
  });

  it('parses into parts with positions', () => {
    expect(parseSplit('train[-10%:]+test')).toEqual({
      spec: 'train[-10%:]+test',
      parts: [
        { split: 'train', at: 0, from: { value: -10, at: 6 }, to: null, unit: '%' },
        { split: 'test', at: 13, from: null, to: null, unit: 'abs' },
      ],
    });
  });
});

describe('split strings: errors point at the bad part', () => {
  // [spec, 0-based position of the culprit, message fragment]
  const cases: [string, number, RegExp][] = [
    ['train[40%:50%', 13, /expected "\]", found end of string/],
    ['train[:40%]x', 11, /expected "\+" or end of string, found "x"/],
    ['train[:]', 5, /empty slice/],
    ['train[]', 6, /expected ":" or a number, found "\]"/],
    ['train[5]', 7, /single index is not a slice/],
    ['train[:101%]', 7, /\[-100%, 100%\]/],
    ['train[-100.5%:]', 6, /\[-100%, 100%\]/],
    ['train[10%:20]', 10, /same unit/],
    ['train[10:20%]', 6, /same unit/],
    ['train[1.5:]', 6, /must be integers/],
    ['train[:10x]', 9, /only "%" may follow/],
    ['train[:4shard]', 8, /shard slicing is not supported/],
    ['', 0, /empty split spec/],
    ['   ', 0, /empty split spec/],
    ['train+', 6, /expected a split name/],
    ['train++test', 6, /expected a split name/],
    [' train', 0, /expected a split name/],
    ['train ', 5, /trailing whitespace/],
    ['train[:-]', 8, /expected a number after "-"/],
    ['train[1__0:]', 7, /"_" is only allowed between two digits/],
    ['train[_1:]', 6, /"_" is only allowed between two digits/],
    ['train[.:]', 6, /expected digits around "\."/],
    ['train[1:2:3]', 9, /expected "\]", found ":"/],
    ['all[:10%]', 3, /"all" cannot be sliced/],
    ['train(10%)', 5, /expected "\+" or end of string, found "\("/],
    ['tr@in', 2, /expected "\+" or end of string, found "@"/],
  ];

  for (const [spec, position, fragment] of cases) {
    it(`rejects ${JSON.stringify(spec)} at character ${position + 1}`, () => {
      let err: unknown;
      try {
        sliceSplit(range(100), spec);
      } catch (e) {
        err = e;
      }
      expect(err).toBeInstanceOf(SplitSpecError);
      const e = err as SplitSpecError;
      expect(e.position).toBe(position);
      expect(e.detail).toMatch(fragment);
      expect(e.message).toContain(JSON.stringify(spec));
      expect(e.message).toContain(`at character ${position + 1}:`);
      const lines = e.message.split('\n');
      expect(lines[1]).toBe(`  ${spec}`);
      expect(lines[2]).toBe(`  ${' '.repeat(position)}^`);
    });
  }

  it('names the available splits for an unknown one, pointing at its name', () => {
    const e = catchError(() => sliceSplit(range(10), 'train[:5]+test[:10%]'));
    expect(e.position).toBe(10);
    expect(e.detail).toBe('unknown split "test"; available: "train"');
    const e2 = catchError(() => selectSplits({ train: [1], validation: [2] }, 'tset'));
    expect(e2.detail).toBe('unknown split "tset"; available: "train", "validation"');
  });

  it('rejects bounds outside the split, pointing at the bound', () => {
    const e = catchError(() => sliceSplit(range(100), 'train[:200]'));
    expect(e.position).toBe(7);
    expect(e.detail).toMatch(/bound 200 is outside split "train" of 100 items/);
    const e2 = catchError(() => sliceSplit(range(100), 'train[-101:]'));
    expect(e2.position).toBe(6);
    expect(sliceSplit(range(100), 'train[-100:]').length).toBe(100);
  });
});

function catchError(fn: () => unknown): SplitSpecError {
  try {
    fn();
  } catch (e) {
    if (e instanceof SplitSpecError) return e;
    throw e;
  }
  throw new Error('expected a SplitSpecError');
}
