import { createHash } from 'node:crypto';
import { promises as fs } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { decodeResizeBatch } from '@xfer/native-preproc';
import { demoBrokenFiles } from '@xfer/trainer';
import { runXfer, type CliRun } from './helpers.js';

const perClass = 12;

// The built CLI after one tiny training run: evaluate, predict, preview and plot as a user runs them.
describe('xfer evaluate, predict, preview and plot', () => {
  let tmp: string;
  let env: NodeJS.ProcessEnv;
  let runDir: string;
  let demoRoot: string;

  const xferRun = (...args: string[]): Promise<CliRun> => runXfer(args, { env, cwd: tmp });

  /** The demo's kept files (JFIF in the first 512 bytes) in TFDS order: md5("train" + name). */
  const keptInOrder = async (): Promise<string[]> => {
    const names: string[] = [];
    for (const c of ['Cat', 'Dog']) for (const f of await fs.readdir(path.join(demoRoot, 'PetImages', c))) names.push(`PetImages/${c}/${f}`);
    const kept: string[] = [];
    for (const n of names) if ((await fs.readFile(path.join(demoRoot, n))).subarray(0, 512).includes(Buffer.from('JFIF'))) kept.push(n);
    const md5 = (n: string) => createHash('md5').update(`train${n}`).digest('hex');
    return kept.sort((a, b) => (md5(a) < md5(b) ? -1 : 1));
  };
  const truncated = () => new Set(demoBrokenFiles({ perClass }).filter((b) => b.kind === 'truncated').map((b) => b.name));
  const classOf = (source: string) => (/[/\\]PetImages[/\\]Cat[/\\]/.test(source) ? 'cat' : /[/\\]PetImages[/\\]Dog[/\\]/.test(source) ? 'dog' : '?');

  beforeAll(async () => {
    tmp = await fs.mkdtemp(path.join(os.tmpdir(), 'xfer-e2e-cli-'));
    env = { ...process.env, XFER_CACHE_DIR: path.join(tmp, 'cache') };
    const r = await xferRun('train', '--epochs', '1', '--fine-tune-epochs', '0', '--demo-per-class', String(perClass), '--batch-size', '8', '--out', path.join(tmp, 'runs'));
    expect(r.code, r.stderr).toBe(0);
    const runs = await fs.readdir(path.join(tmp, 'runs'));
    runDir = path.join(tmp, 'runs', runs[0]!);
    const datasets = await fs.readdir(path.join(tmp, 'cache', 'datasets'));
    demoRoot = path.join(tmp, 'cache', 'datasets', datasets.find((d) => d.startsWith('demo-'))!);
  });
  afterAll(() => fs.rm(tmp, { recursive: true, force: true }));

  it('every new command has --help with examples', async () => {
    const cmds = ['evaluate', 'predict', 'preview', 'plot'];
    const runs = await Promise.all(cmds.map((cmd) => xferRun(cmd, '--help')));
    runs.forEach((r, i) => {
      expect(r.code).toBe(0);
      expect(r.stdout).toMatch(new RegExp(`Examples:\\n\\s+xfer ${cmds[i]}`));
    });
    expect((await xferRun('predict', runDir)).code).toBe(2);
  });

  it('evaluate --json: counts add up, the confusion matrix sums to the count and gives the accuracy', async () => {
    const kept = await keptInOrder();
    const train = kept.slice(0, Math.round(kept.length * 0.8)); // 14 kept: 11.2 -> 11, no tie
    const r = await xferRun('evaluate', runDir, '--split', 'train[:80%]', '--json');
    expect(r.code, r.stderr).toBe(0);
    const e = JSON.parse(r.stdout);
    expect(e).toMatchObject({ data: 'demo', split: 'train[:80%]', classNames: ['cat', 'dog'] });
    expect(e.count + e.failures.length).toBe(train.length);
    expect(e.failures.map((f: { source: string }) => path.relative(demoRoot, f.source)).sort()).toEqual(train.filter((n) => truncated().has(n)).sort());
    const flat: number[] = e.confusion.flat();
    expect(flat.reduce((a, b) => a + b, 0)).toBe(e.count);
    // Rows are the actual classes: each row sums to that class's decodable images.
    const decodable = train.filter((n) => !truncated().has(n));
    expect(e.confusion[0][0] + e.confusion[0][1]).toBe(decodable.filter((n) => n.includes('/Cat/')).length);
    expect(e.accuracy).toBeCloseTo((e.confusion[0][0] + e.confusion[1][1]) / e.count, 12);
    expect(Number.isFinite(e.loss) && e.loss > 0).toBe(true);
  });

  it("evaluate defaults to the run's data and test split, and prints a text report", async () => {
    const r = await xferRun('evaluate', path.join(runDir, 'model'));
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/^data demo, split train\[90%:\]: \d+ images/m);
    expect(r.stdout).toMatch(/^accuracy \d+\.\d{2}% \(at logit 0\), loss \d+\.\d{4}/m);
    expect(r.stdout).toMatch(/confusion \(rows actual, columns predicted\):\n\s+cat\s+dog\n\s+cat\s+\d+\s+\d+\n\s+dog\s+\d+\s+\d+\n/);
    const missing = await xferRun('evaluate', path.join(tmp, 'no-such-run'));
    expect(missing.code).toBe(1);
    expect(missing.stderr).toMatch(/no-such-run: no such file or folder; pass a run directory/);
  });

  it('predict --json on a folder: one entry per image file, probabilities in [0, 1], known labels', async () => {
    const dir = path.join(tmp, 'to-predict');
    await fs.mkdir(path.join(dir, 'more'), { recursive: true });
    const picks = { 'a.jpg': 'Cat/0.jpg', 'b.jpg': 'Dog/0.jpg', 'more/c.jpg': 'Cat/2.jpg', 'more/d.jpg': 'Dog/4.jpg' };
    for (const [to, from] of Object.entries(picks)) await fs.copyFile(path.join(demoRoot, 'PetImages', from), path.join(dir, to));
    await fs.writeFile(path.join(dir, 'notes.txt'), 'not an image');
    const r = await xferRun('predict', runDir, dir, '--json');
    expect(r.code, r.stderr).toBe(0);
    const p = JSON.parse(r.stdout);
    expect(p.classNames).toEqual(['cat', 'dog']);
    expect(p.predictions.map((x: { source: string }) => path.relative(dir, x.source))).toEqual(Object.keys(picks).sort());
    for (const x of p.predictions) {
      expect(['cat', 'dog']).toContain(x.className);
      expect(x.label).toBe(p.classNames.indexOf(x.className));
      for (const v of [x.probability, x.probabilities.cat, x.probabilities.dog]) expect(v >= 0 && v <= 1).toBe(true);
      expect(x.probabilities.cat + x.probabilities.dog).toBeCloseTo(1, 6);
      expect(x.probability).toBeGreaterThanOrEqual(0.5);
    }
  });

  it('predict reports a broken file with its reason, still predicts the others, and exits 1', async () => {
    const dir = path.join(tmp, 'with-broken');
    await fs.mkdir(dir);
    const broken = [...truncated()][0]!;
    await fs.copyFile(path.join(demoRoot, broken), path.join(dir, 'broken.jpg'));
    await fs.copyFile(path.join(demoRoot, 'PetImages/Cat/0.jpg'), path.join(dir, 'good.jpg'));
    const r = await xferRun('predict', runDir, dir, '--json');
    expect(r.code).toBe(1);
    const p = JSON.parse(r.stdout);
    expect(p.predictions).toHaveLength(2);
    const [bad, good] = p.predictions;
    expect(bad.source).toBe(path.join(dir, 'broken.jpg'));
    expect(bad.reason).toMatch(/^TRUNCATED: /);
    expect(good.className).toMatch(/^(cat|dog)$/);
    expect(r.stderr).toMatch(/broken\.jpg/);
    const text = await xferRun('predict', runDir, path.join(dir, 'good.jpg'), path.join(dir, 'broken.jpg'));
    expect(text.code).toBe(1);
    expect(text.stdout).toMatch(/^(cat|dog)\s+0\.\d{4}\s+.*good\.jpg$/m);
    expect(text.stderr).toMatch(/broken\.jpg: cannot predict: TRUNCATED: /);
  });

  it('preview: a 3x3 PNG of the native 150x150 tiles, titled with the class of each image shown', async () => {
    const out = path.join(tmp, 'p', 'preview.png');
    const r = await xferRun('preview', '--demo-per-class', String(perClass), '--out', out);
    expect(r.code, r.stderr).toBe(0);
    const side = JSON.parse(await fs.readFile(path.join(tmp, 'p', 'preview.json'), 'utf8'));
    const meta = await sharp(out).metadata();
    expect(meta.format).toBe('png');
    // 3 tiles of 150 and 4 paddings of 10 across; 3 rows of (28 title + 150) and 4 paddings down.
    expect([meta.width, meta.height]).toEqual([3 * 150 + 4 * 10, 3 * (28 + 150) + 4 * 10]);
    expect([side.width, side.height]).toEqual([meta.width, meta.height]);
    // The first 9 decodable images of train[:80%], worked out here from the files themselves.
    const kept = await keptInOrder();
    const want = kept.slice(0, Math.round(kept.length * 0.8)).filter((n) => !truncated().has(n)).slice(0, 9);
    expect(side.tiles.map((t: { source: string }) => path.relative(demoRoot, t.source))).toEqual(want);
    for (const t of side.tiles) {
      expect(t.title).toBe(classOf(t.source));
      expect(t.title).toBe(['cat', 'dog'][t.label]);
    }
    expect(new Set(side.tiles.map((t: { title: string }) => t.title))).toEqual(new Set(['cat', 'dog']));
    // Each tile is the native decoder's output, pixel for pixel.
    const { data } = await sharp(out).raw().toBuffer({ resolveWithObject: true });
    const decoded = await decodeResizeBatch(side.tiles.map((t: { source: string }) => t.source), { size: [150, 150] });
    side.tiles.forEach((t: { x: number; y: number }, i: number) => {
      for (const y of [0, 75, 149]) {
        const got = data.subarray(((t.y + y) * meta.width! + t.x) * 3, ((t.y + y) * meta.width! + t.x + 150) * 3);
        const exp = (decoded.data as Uint8Array).subarray((i * 150 * 150 + y * 150) * 3, (i * 150 * 150 + (y + 1) * 150) * 3);
        expect(Buffer.compare(got, Buffer.from(exp))).toBe(0);
      }
    });
  });

  it('preview --image-size sets the tile size', async () => {
    const out = path.join(tmp, 'p', 'small.png');
    const r = await xferRun('preview', '--demo-per-class', String(perClass), '--image-size', '64', '--out', out, '--json');
    expect(r.code, r.stderr).toBe(0);
    expect(JSON.parse(r.stdout).tileSize).toEqual([64, 64]);
    const meta = await sharp(out).metadata();
    expect([meta.width, meta.height]).toEqual([3 * 64 + 40, 3 * (28 + 64) + 40]);
  });

  it('plot writes <run>/curves.png', async () => {
    const r = await xferRun('plot', runDir, '--json');
    expect(r.code, r.stderr).toBe(0);
    const p = JSON.parse(r.stdout);
    expect(p).toMatchObject({ png: path.join(runDir, 'curves.png'), epochs: 1, phases: ['frozen'] });
    const meta = await sharp(path.join(runDir, 'curves.png')).metadata();
    expect(meta.format).toBe('png');
    expect(meta.width).toBeGreaterThanOrEqual(800);
    expect(meta.width).toBeLessThanOrEqual(4000);
    expect(meta.height).toBeGreaterThanOrEqual(300);
    expect(meta.height).toBeLessThan(meta.width!);
    const none = await xferRun('plot', tmp);
    expect(none.code).toBe(1);
    expect(none.stderr).toMatch(/metrics\.jsonl: cannot read the metrics log \(ENOENT\)/);
  });
});
