import { createHash } from 'node:crypto';
import { execFile } from 'node:child_process';
import { createWriteStream, promises as fs } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { demoBrokenFiles, ensureDemoData } from '@xfer/trainer';
import { tempDir } from './helpers.js';

const run = promisify(execFile);
const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const xfer = path.join(root, 'packages/cli/bin/xfer.js');

describe('xfer data', () => {
  let tmp: string;
  let demoRoot: string;
  beforeAll(async () => {
    tmp = await fs.mkdtemp(path.join(os.tmpdir(), 'xfer-e2e-data-'));
    demoRoot = (await ensureDemoData({ dir: path.join(tmp, 'demo'), perClass: 12 })).root;
  });
  afterAll(() => fs.rm(tmp, { recursive: true, force: true }));

  it('split --json lists a split in TFDS order: md5("train" + name), percent bounds rounded', async () => {
    const { stdout } = await run(process.execPath, [xfer, 'data', 'split', demoRoot, '--split', 'train[25%:75%]', '--json']);
    const got = JSON.parse(stdout) as Array<{ source: string; label: number; className: string }>;
    // Independent: every kept file, md5-sorted, sliced at round(pct·n/100) with Python's ties-to-even
    // (14 kept files put both bounds on .5 ties: 3.5 → 4 and 10.5 → 10).
    const names: string[] = [];
    for (const c of ['Cat', 'Dog']) for (const f of await fs.readdir(path.join(demoRoot, 'PetImages', c))) names.push(`PetImages/${c}/${f}`);
    const kept: string[] = [];
    for (const n of names) {
      const head = (await fs.readFile(path.join(demoRoot, n))).subarray(0, 512);
      if (head.includes(Buffer.from('JFIF'))) kept.push(n);
    }
    const md5 = (n: string) => createHash('md5').update(`train${n}`).digest('hex');
    kept.sort((a, b) => (md5(a) < md5(b) ? -1 : 1));
    const roundHalfEven = (x: number) => {
      const f = Math.floor(x);
      return x - f > 0.5 || (x - f === 0.5 && f % 2 === 1) ? f + 1 : f;
    };
    expect(kept).toHaveLength(14);
    const want = kept.slice(roundHalfEven(kept.length * 0.25), roundHalfEven(kept.length * 0.75));
    expect(got.map((e) => path.relative(demoRoot, e.source))).toEqual(want);
    for (const e of got) expect(e.className).toBe(e.source.includes('/Cat/') ? 'cat' : 'dog');
  });

  it('info counts classes and splits and lists the skipped files with reasons', async () => {
    const { stdout } = await run(process.execPath, [xfer, 'data', 'info', demoRoot, '--split', 'train[:50%]', 'train[50%:]', '--json']);
    const info = JSON.parse(stdout);
    expect(info.kind).toBe('cats_vs_dogs-folder');
    expect(info.splits.map((s: { count: number }) => s.count).reduce((a: number, b: number) => a + b, 0)).toBe(info.count);
    expect(info.perClass.cat + info.perClass.dog).toBe(info.count);
    expect(info.skipped.length).toBeGreaterThanOrEqual(8);
    for (const s of info.skipped) expect(s.reason).toMatch(/JFIF|empty/);
  });

  it('a bad split string is a usage-level error that points at the bad part', async () => {
    const e = await run(process.execPath, [xfer, 'data', 'split', demoRoot, '--split', 'train[:40%']).catch((err) => err);
    expect(e.code).toBe(1);
    expect(e.stderr).toMatch(/train\[:40%/);
    expect(e.stderr).toMatch(/\^/);
  });

  it('a missing dataset says how to get it', async () => {
    const home = tempDir('xfer-home-');
    const e = await run(process.execPath, [xfer, 'data', 'info', 'cats_vs_dogs'], { env: { ...process.env, HOME: home, XFER_CACHE_DIR: path.join(home, 'c') } }).catch((err) => err);
    expect(e.code).toBe(1);
    expect(e.stderr).toMatch(/cats_vs_dogs was not found .*xfer data download cats_vs_dogs/);
  });
});

describe('xfer train on the Microsoft archive layout as a zip', () => {
  it('reads the zip in place, trains, and names skipped entries as <zip>!/<entry>', async () => {
    const { default: yazl } = await import('yazl');
    const tmp = tempDir('xfer-e2e-zip-');
    const demo = (await ensureDemoData({ dir: path.join(tmp, 'demo'), perClass: 12 })).root;
    const zipPath = path.join(tmp, 'kagglecatsanddogs_test.zip');
    const z = new yazl.ZipFile();
    for (const c of ['Cat', 'Dog']) {
      for (const f of await fs.readdir(path.join(demo, 'PetImages', c))) z.addFile(path.join(demo, 'PetImages', c, f), `PetImages/${c}/${f}`);
    }
    z.end();
    await new Promise<void>((resolve, reject) => {
      z.outputStream.pipe(createWriteStream(zipPath)).on('close', resolve).on('error', reject);
    });
    const r = await run(process.execPath, [xfer, 'train', '--data', zipPath, '--epochs', '1', '--batch-size', '8', '--train-split', 'train[:60%]', '--val-split', 'train[60%:80%]', '--test-split', 'train[80%:]', '--out', path.join(tmp, 'runs')], { cwd: tmp });
    expect(r.stdout).toMatch(/^test accuracy \d+\.\d{2}%/m);
    const [runDir] = await fs.readdir(path.join(tmp, 'runs'));
    const errors = (await fs.readFile(path.join(tmp, 'runs', runDir!, 'errors.jsonl'), 'utf8')).trim().split('\n').map((l) => JSON.parse(l));
    const truncated = demoBrokenFiles({ perClass: 12 }).filter((b) => b.kind === 'truncated');
    expect(truncated).toHaveLength(2);
    for (const t of truncated) {
      expect(errors.some((e) => e.source === `${zipPath}!/${t.name}` && /^TRUNCATED: /.test(e.reason))).toBe(true);
    }
    expect(errors.some((e) => e.source === `${zipPath}!/PetImages/Dog/0.jpg`)).toBe(false);
  });
});
