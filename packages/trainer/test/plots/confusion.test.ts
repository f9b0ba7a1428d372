import { describe, expect, it } from 'vitest';
import { confusionCells, confusionSpec } from '../../src/plots/confusion.js';
import { renderVegaLitePng } from '../../src/plots/curves.js';

describe('the confusion-matrix picture', () => {
  const names = ['daisy', 'rose', 'tulip'];
  const m = [[3, 1, 0], [0, 0, 0], [2, 0, 6]];

  it('has one cell per (actual, predicted) pair, coloured by the share of its row', () => {
    const cells = confusionCells(names, m);
    expect(cells).toHaveLength(9);
    expect(cells[1]).toEqual({ actual: 'daisy', predicted: 'rose', count: 1, share: 0.25 });
    expect(cells.filter((c) => c.actual === 'rose').every((c) => c.share === 0)).toBe(true);
    expect(cells[8]).toEqual({ actual: 'tulip', predicted: 'tulip', count: 6, share: 0.75 });
  });

  it('renders to a PNG through vega-lite', async () => {
    const r = await renderVegaLitePng(confusionSpec(names, m, 'test'));
    expect(r.png.subarray(1, 4).toString()).toBe('PNG');
    expect(r.width).toBeGreaterThan(300);
  });
});
