import { promises as fs } from 'node:fs';
import path from 'node:path';
import sharp from 'sharp';
import { describe, expect, it } from 'vitest';
import { runXfer, tempDir, type CliRun } from './helpers.js';

/** A folder of `names.length` class folders, `perClass` noisy 40x40 PNGs each, every class its own colour. */
async function classFolders(dir: string, names: string[], perClass: number): Promise<void> {
  for (const [k, name] of names.entries()) {
    await fs.mkdir(path.join(dir, name), { recursive: true });
    const hue = [(k * 97) % 256, (k * 53 + 80) % 256, (k * 181 + 30) % 256];
    for (let i = 0; i < perClass; i++) {
      const px = Uint8Array.from({ length: 40 * 40 * 3 }, (_, j) => Math.min(255, hue[j % 3]! + ((j * 31 + i * 17) % 40)));
      await sharp(px, { raw: { width: 40, height: 40, channels: 3 } }).png().toFile(path.join(dir, name, `${i}.png`));
    }
  }
}

function xferRun(args: string[], cwd: string): Promise<CliRun> {
  return runXfer(args, { cwd, env: { ...process.env, XFER_CACHE_DIR: path.join(cwd, 'cache') } });
}

const TRAIN = ['train', '--image-size', '32', '--model', 'mini-xception', '--weights', 'none', '--epochs', '2', '--fine-tune-epochs', '0', '--batch-size', '8'];

describe('any number of classes', () => {
  it.each([
    ['3 classes', ['bird', 'cat', 'dog'], 20],
    ['10 classes', ['a0', 'a1', 'a2', 'a3', 'a4', 'a5', 'a6', 'a7', 'a8', 'a9'], 10],
  ] as const)('%s: softmax head, 80/10/10 splits, N×N evaluation, top-k prediction', async (_, names, perClass) => {
    const tmp = tempDir('xfer-e2e-classes-');
    const data = path.join(tmp, 'data');
    await classFolders(data, [...names], perClass);
    const n = names.length;
    const total = n * perClass;

    const t = await xferRun([...TRAIN, '--data', data, '--out', path.join(tmp, 'runs')], tmp);
    expect(t.code, t.stderr).toBe(0);
    const train = Math.round(total * 0.8);
    expect(t.stdout).toContain(`examples: ${total} images in ${n} classes; train ${train} (80%, train[:80%])`);
    expect(t.stderr).not.toMatch(/are not used/);
    const runDir = path.join(tmp, 'runs', (await fs.readdir(path.join(tmp, 'runs')))[0]!);
    const pre = JSON.parse(await fs.readFile(path.join(runDir, 'model', 'preprocessing.json'), 'utf8'));
    expect(pre.classNames).toEqual(names);
    expect(pre.output).toMatch(new RegExp(`^${n} logits: softmax`));
    const summary = await fs.readFile(path.join(runDir, 'summary.txt'), 'utf8');
    expect(summary).toMatch(/macro avg/);
    const picture = await sharp(path.join(runDir, 'confusion.png')).metadata();
    expect([picture.format, (picture.width ?? 0) > 300]).toEqual(['png', true]);

    const e = await xferRun(['evaluate', runDir, '--json'], tmp);
    expect(e.code, e.stderr).toBe(0);
    const ev = JSON.parse(e.stdout);
    expect(ev.confusion).toHaveLength(n);
    for (const row of ev.confusion) expect(row).toHaveLength(n);
    const cells = (ev.confusion as number[][]).flat();
    expect(cells.reduce((a, b) => a + b, 0)).toBe(ev.count);
    expect(ev.accuracy).toBeCloseTo((ev.confusion as number[][]).reduce((a, row, i) => a + row[i]!, 0) / ev.count, 10);
    expect(Object.keys(ev.perClass)).toEqual(names);
    expect(ev.top5Accuracy === undefined).toBe(n <= 5);
    if (n > 5) expect(ev.top5Accuracy).toBeGreaterThanOrEqual(ev.accuracy);

    const p = await xferRun(['predict', runDir, path.join(data, names[1]), '--json'], tmp);
    expect(p.code, p.stderr).toBe(0);
    const preds = JSON.parse(p.stdout).predictions as Array<{ className: string; probabilities: Record<string, number>; top: Array<{ className: string; probability: number }> }>;
    expect(preds).toHaveLength(perClass);
    for (const r of preds) {
      expect(Object.keys(r.probabilities)).toEqual(names);
      expect(Object.values(r.probabilities).reduce((a, b) => a + b, 0)).toBeCloseTo(1, 5);
      expect(r.top).toHaveLength(Math.min(5, n));
      expect(r.top[0]!.className).toBe(r.className);
      expect(r.top.map((x) => x.probability)).toEqual([...r.top.map((x) => x.probability)].sort((a, b) => b - a));
    }
    const text = await xferRun(['predict', runDir, path.join(data, names[0], '0.png'), '--top', '3'], tmp);
    expect(text.stdout.trim().split(', ')).toHaveLength(3);

    const x = await xferRun(['export', runDir, '--format', 'keras-h5', '--out', path.join(tmp, 'model.h5')], tmp);
    expect(x.code, x.stderr).toBe(0);
    expect(x.stdout).toContain(`Dense(${n}) head`);
    expect((await fs.readFile(path.join(tmp, 'model.h5'))).subarray(0, 8)).toEqual(Buffer.from([0x89, 0x48, 0x44, 0x46, 0x0d, 0x0a, 0x1a, 0x0a]));

    // A second transfer from the trained model: its base, and its classifier for the same classes.
    const again = await xferRun([...TRAIN.filter((a) => a !== 'none' && a !== '--weights'), '--weights', runDir, '--data', data, '--epochs', '1', '--out', path.join(tmp, 'again')], tmp);
    expect(again.code, again.stderr).toBe(0);
    expect(again.stdout).toContain(`weights: the base of ${path.join(runDir, 'model')} and its classifier (the same classes)`);
    expect(again.stdout).toMatch(/^phase frozen: 1 epochs/m);
  }, 240_000);

  it('refuses a single class and unknown class weights before any run directory, naming the problem', async () => {
    const tmp = tempDir('xfer-e2e-classes-');
    const one = path.join(tmp, 'one');
    await classFolders(one, ['only'], 4);
    const r = await xferRun([...TRAIN, '--data', one, '--out', path.join(tmp, 'runs')], tmp);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/one class \(only\); a classifier needs at least 2/);
    const two = path.join(tmp, 'two');
    await classFolders(two, ['cat', 'dog'], 4);
    const w = await xferRun([...TRAIN, '--data', two, '--class-weight', '{"bird": 2}', '--out', path.join(tmp, 'runs')], tmp);
    expect(w.code).toBe(1);
    expect(w.stderr).toMatch(/class weight for 'bird': no such class \(the classes are cat, dog\)/);
    const bad = await xferRun([...TRAIN, '--data', two, '--class-weight', 'heavy'], tmp);
    expect(bad.code).toBe(2);
    expect(await fs.readdir(path.join(tmp, 'runs')).catch(() => [])).toEqual([]);
  }, 120_000);
});
