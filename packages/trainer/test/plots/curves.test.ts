import { promises as fs } from 'node:fs';
import path from 'node:path';
import sharp from 'sharp';
import { describe, expect, it } from 'vitest';
import { curvesData, curvesSpec, readMetrics, renderCurves, type MetricsRecord } from '../../src/plots/curves.js';
import { tempDir } from '../helpers.js';

function epoch(phase: string, e: number, epochs: number, k: number): MetricsRecord {
  return { phase, epoch: e, epochs, loss: 0.7 / k, accuracy: 1 - 0.4 / k, valLoss: 0.8 / k, valAccuracy: 1 - 0.5 / k, seconds: 1, imagesPerSec: 10 };
}

const twoPhases = [1, 2, 3].map((e) => epoch('train', e, 3, e)).concat([1, 2].map((e) => epoch('fine-tune', e, 2, 3 + e)));

describe('training curves', () => {
  it('lay every phase on one epoch axis and mark where each later phase starts', () => {
    const d = curvesData(twoPhases);
    expect(d.epochs).toBe(5);
    expect(d.phases).toEqual(['train', 'fine-tune']);
    expect(d.boundaries).toEqual([{ x: 3.5, phase: 'fine-tune' }]);
    expect(d.points).toHaveLength(5 * 4);
    const valAcc = d.points.filter((p) => p.metric === 'accuracy' && p.series === 'validation');
    expect(valAcc.map((p) => p.epoch)).toEqual([1, 2, 3, 4, 5]);
    expect(valAcc[4]).toMatchObject({ phase: 'fine-tune', value: 1 - 0.5 / 5 });
  });

  it('drop missing values, and let an epoch logged again replace the earlier one', () => {
    const d = curvesData([epoch('train', 1, 2, 1), { ...epoch('train', 2, 2, 2), valLoss: NaN }, { ...epoch('train', 2, 2, 4) }]);
    expect(d.epochs).toBe(2);
    expect(d.points.filter((p) => p.epoch === 2 && p.metric === 'loss' && p.series === 'train')[0]!.value).toBeCloseTo(0.7 / 4);
    expect(curvesData([epoch('train', 1, 1, 1), { ...epoch('train', 2, 2, 2), valLoss: NaN }]).points).toHaveLength(7);
  });

  it('spec: loss and accuracy panels, each with the phase rule and its label', () => {
    const spec = curvesSpec(curvesData(twoPhases)) as unknown as { hconcat: Array<{ layer: Array<{ mark: { type: string }; data: { values: unknown[] } }> }> };
    expect(spec.hconcat).toHaveLength(2);
    for (const panel of spec.hconcat) {
      expect(panel.layer.map((l) => l.mark.type)).toEqual(['line', 'rule', 'text']);
      expect(panel.layer[1]!.data.values).toEqual([{ x: 3.5, phase: 'fine-tune' }]);
    }
  });

  it('readMetrics names the file and line of a broken record', async () => {
    const dir = tempDir('xfer-curves-');
    const file = path.join(dir, 'metrics.jsonl');
    await fs.writeFile(file, `${JSON.stringify(twoPhases[0])}\n\n{"phase": oops\n`);
    await expect(readMetrics(file)).rejects.toThrow(/metrics\.jsonl:3: not a JSON line/);
    await expect(readMetrics(path.join(dir, 'none.jsonl'))).rejects.toThrow(/none\.jsonl: cannot read the metrics log \(ENOENT\)/);
  });

  it('renderCurves writes a PNG through vega-lite, vega and sharp', async () => {
    const dir = tempDir('xfer-curves-');
    const file = path.join(dir, 'metrics.jsonl');
    await fs.writeFile(file, twoPhases.map((r) => JSON.stringify(r)).join('\n') + '\n');
    const r = await renderCurves(file, path.join(dir, 'curves.png'));
    expect(r).toMatchObject({ epochs: 5, phases: ['train', 'fine-tune'] });
    const meta = await sharp(r.png).metadata();
    expect(meta.format).toBe('png');
    expect([meta.width, meta.height]).toEqual([r.width, r.height]);
    expect(r.width).toBeGreaterThan(1000);
    expect(r.height).toBeGreaterThan(400);
    expect(r.width).toBeGreaterThan(r.height);
    const empty = path.join(dir, 'empty.jsonl');
    await fs.writeFile(empty, '');
    await expect(renderCurves(empty, path.join(dir, 'x.png'))).rejects.toThrow(/empty\.jsonl: no epoch logged yet/);
  });
});
