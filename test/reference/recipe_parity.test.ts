/**
 * The recipe parity bench (tools/bench/recipe_parity) at a tiny scale: Keras and `xfer train` run
 * the recipe on the same Fashion-MNIST files, and the report holds both. The README's table comes
 * from the same command at full scale.
 */
import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, describe, expect, it } from 'vitest';
import { missing, python, root } from './python.js';

const FASHION_MNIST = '/usr/share/datasets/fashion-mnist';
const skipReason = missing || (existsSync(FASHION_MNIST) ? '' : `${FASHION_MNIST} is missing (apt-get install dataset-fashion-mnist)`);
const suite = python && !skipReason ? describe : describe.skip;

interface Framework {
  framework: string;
  counts: Record<'train' | 'validation' | 'test', number>;
  history: { phase: string; epoch: number; valAccuracy: number }[];
  test: { accuracy: number; count: number };
  /** xfer's run directory. */
  runDir?: string;
  /** Keras only: the mode its base's BatchNorm ran in, per phase. */
  batchNorm?: Record<string, string>;
}

suite(`recipe parity, Keras against xfer on two Fashion-MNIST classes${skipReason ? ` (skipped: ${skipReason})` : ''}`, () => {
  const out = mkdtempSync(path.join(os.tmpdir(), 'xfer-recipe-parity-'));
  afterAll(() => rmSync(out, { recursive: true, force: true }));

  it('trains both on the same splits and reports both', async () => {
    const args = [
      path.join(root, 'tools/bench/recipe_parity/run.mjs'),
      '--train-split', 'train[:64]', '--val-split', 'train[64:96]', '--test-split', 'train[96:160]',
      '--epochs', '1', '--fine-tune-epochs', '1', '--pretrain-per-class', '8', '--pretrain-epochs', '1',
      '--out', out, '--json',
    ];
    const { stdout } = await promisify(execFile)(process.execPath, args, { maxBuffer: 16 << 20 });
    const result = JSON.parse(stdout) as { frameworks: Framework[]; data: { classes: string[] } };

    expect(result.data.classes).toEqual(['shirt', 't_shirt_top']);
    expect(result.frameworks.map((f) => f.framework)).toEqual(['Keras', 'xfer']);
    for (const f of result.frameworks) {
      expect(f.counts, f.framework).toEqual({ train: 64, validation: 32, test: 64 });
      expect(f.test.count, f.framework).toBe(64);
      expect(f.history.map((h) => h.phase), f.framework).toEqual(['frozen', 'fine-tune']);
      for (const h of f.history) expect(h.valAccuracy, f.framework).toBeGreaterThanOrEqual(0);
      expect(f.test.accuracy, f.framework).toBeGreaterThanOrEqual(0);
      expect(f.test.accuracy, f.framework).toBeLessThanOrEqual(1);
    }
    // Keras 3's fit trains the unfrozen base's BatchNorm despite training=False (keras-team/keras#20285);
    // the README and the report say so, and this fails when a Keras release changes it.
    expect(result.frameworks[0]!.batchNorm).toEqual({ frozen: 'inference mode', 'fine-tune': 'batch statistics' });
    // The three splits are disjoint files, and xfer's run counted the same sizes.
    const xferRun = result.frameworks[1]!.runDir!;
    const splits = JSON.parse(readFileSync(path.join(path.dirname(xferRun), '..', 'splits.json'), 'utf8')) as Record<string, { source: string }[]>;
    const sources = ['train', 'validation', 'test'].flatMap((s) => splits[s]!.map((e) => e.source));
    expect(new Set(sources).size).toBe(160);
    expect(readFileSync(path.join(xferRun, 'summary.txt'), 'utf8')).toMatch(/train 64, validation 32, test 64/);
  }, 600_000);
});
