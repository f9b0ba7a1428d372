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

describe('xfer data check', () => {
  const env = (tmp: string) => ({ ...process.env, XFER_CACHE_DIR: path.join(tmp, 'cache') });
  const BROKEN = [
    ['cat/empty.jpg', 'EMPTY'],
    ['dog/cut.jpg', 'TRUNCATED'],
    ['dog/noise.jpg', 'UNSUPPORTED_FORMAT'],
  ];

  /** 3 good JPEGs per class under root/<class>/, and the files of BROKEN. */
  async function brokenFolder(root: string): Promise<void> {
    const { default: sharp } = await import('sharp');
    const jpeg = (seed: number) => {
      const px = Uint8Array.from({ length: 40 * 32 * 3 }, (_, k) => (k * 5 + seed * 29) & 255);
      return sharp(px, { raw: { width: 40, height: 32, channels: 3 } }).jpeg().toBuffer();
    };
    for (const cls of ['cat', 'dog']) {
      await fs.mkdir(path.join(root, cls), { recursive: true });
      for (let i = 0; i < 3; i++) await fs.writeFile(path.join(root, cls, `${i}.jpg`), await jpeg(i + (cls === 'dog' ? 3 : 0)));
    }
    await fs.writeFile(path.join(root, 'cat/empty.jpg'), '');
    const whole = await jpeg(9);
    await fs.writeFile(path.join(root, 'dog/cut.jpg'), whole.subarray(0, whole.length >> 1));
    await fs.writeFile(path.join(root, 'dog/noise.jpg'), Buffer.from('not an image at all, just text bytes'));
  }

  it('--json lists each broken file with its reason and counts per code, exits 1, and changes nothing', async () => {
    const tmp = tempDir('xfer-e2e-check-');
    const root = path.join(tmp, 'photos');
    await brokenFolder(root);
    const before = (await fs.readdir(root, { recursive: true })).sort();
    const e = await run(process.execPath, [xfer, 'data', 'check', root, '--json', '--threads', '2'], { env: env(tmp) }).catch((err) => err);
    expect(e.code).toBe(1);
    const r = JSON.parse(e.stdout);
    expect([r.location, r.kind, r.listed, r.decoded]).toEqual([root, 'image-folder', 9, 6]);
    expect(r.broken.map((b: { source: string; reason: string }) => [path.relative(root, b.source), b.reason.split(':')[0]])).toEqual(BROKEN);
    expect(r.counts).toEqual({ TRUNCATED: 1, CORRUPT: 0, EMPTY: 1, UNSUPPORTED_FORMAT: 1, TOO_LARGE: 0, IO: 0 });
    expect(r.skippedByRules).toEqual([]);
    expect(r.moved).toBeUndefined();
    // Not a TTY: no progress line, and no tfjs banner either.
    expect(e.stderr).toBe('error: 3 of 9 images could not be decoded; nothing was changed (--move-to <dir> quarantines them)\n');
    expect((await fs.readdir(root, { recursive: true })).sort()).toEqual(before);
  });

  it('--move-to quarantines the broken files at their relative paths; the folder then checks clean (exit 0)', async () => {
    const tmp = tempDir('xfer-e2e-check-');
    const root = path.join(tmp, 'photos');
    const dir = path.join(tmp, 'quarantine');
    await brokenFolder(root);
    const e = await run(process.execPath, [xfer, 'data', 'check', root, '--move-to', dir], { env: env(tmp) }).catch((err) => err);
    expect(e.code).toBe(1);
    for (const [f] of BROKEN) expect(e.stdout).toContain(`${path.join(root, f!)} -> ${path.join(dir, f!)}`);
    expect(e.stdout).toMatch(/broken \(TRUNCATED 1, EMPTY 1, UNSUPPORTED_FORMAT 1\)/);
    expect((await fs.readdir(dir, { recursive: true })).filter((f) => f.includes('.')).sort()).toEqual(BROKEN.map(([f]) => f));
    const clean = await run(process.execPath, [xfer, 'data', 'check', root, '--json', '--move-to', dir], { env: env(tmp) });
    const r = JSON.parse(clean.stdout);
    expect([r.listed, r.decoded, r.broken, r.moved]).toEqual([6, 6, [], []]);
  });

  it("lists a cats_vs_dogs folder's rule-skipped files apart, as data info does, and its truncated JPEGs as broken", async () => {
    const tmp = tempDir('xfer-e2e-check-');
    const demo = (await ensureDemoData({ dir: path.join(tmp, 'demo'), perClass: 6, broken: true })).root;
    const truncated = demoBrokenFiles({ perClass: 6 }).filter((b) => b.kind === 'truncated');
    const e = await run(process.execPath, [xfer, 'data', 'check', demo, '--json'], { env: env(tmp) }).catch((err) => err);
    expect(e.code).toBe(1);
    const r = JSON.parse(e.stdout);
    const info = JSON.parse((await run(process.execPath, [xfer, 'data', 'info', demo, '--json'], { env: env(tmp) })).stdout);
    expect(r.skippedByRules).toEqual(info.skipped);
    expect(r.skippedByRules.length).toBeGreaterThan(0);
    expect(r.broken.map((b: { source: string }) => path.relative(demo, b.source))).toEqual(truncated.map((b) => b.name).sort());
    expect(info.check).toBe(`xfer data check ${demo}`);
    const text = (await run(process.execPath, [xfer, 'data', 'info', demo], { env: env(tmp) })).stdout;
    expect(text).toContain(`${info.count} files listed, none decoded yet: \`xfer data check ${demo}\``);
  });

  it('on a terminal, redraws one progress line in place and clears it before the report; --json draws none', async () => {
    const tmp = tempDir('xfer-e2e-check-');
    const root = path.join(tmp, 'photos');
    await brokenFolder(root);
    const good = await fs.readFile(path.join(root, 'cat/0.jpg'));
    for (let i = 0; i < 130; i++) await fs.writeFile(path.join(root, 'dog', `copy${i}.jpg`), good);
    const inPty = (args: string[]) =>
      run('script', ['-qec', [process.execPath, xfer, ...args].map((a) => `'${a}'`).join(' '), '/dev/null'], { env: { ...env(tmp), TERM: 'xterm' } }).catch((err) => err);
    const { stdout } = await inPty(['data', 'check', root, '--threads', '2']);
    const redraws = [...stdout.matchAll(/\r\x1b\[2Kdecoding (\d+)\/139(?=\r)/g)].map((m) => Number(m[1]));
    expect(redraws.length).toBeGreaterThanOrEqual(3);
    expect([...redraws].sort((a, b) => a - b)).toEqual(redraws);
    expect(redraws.at(-1)).toBe(139);
    expect(stdout).toMatch(/decoding 139\/139\r\x1b\[2Kimage-folder at .*: 139 listed, 136 decoded, 3 broken\r\n/);
    expect((await inPty(['data', 'check', root, '--json'])).stdout).not.toMatch(/decoding|\x1b/);
  });

  it('--move-to is a usage error (exit 2) for the demo, cats_vs_dogs by name, an archive, and a folder inside the dataset', async () => {
    const tmp = tempDir('xfer-e2e-check-');
    const zip = path.join(tmp, 'kagglecatsanddogs_test.zip');
    await fs.writeFile(zip, 'PK');
    const cases: [string, string, RegExp][] = [
      ['demo', path.join(tmp, 'q'), /generated and cached by xfer/],
      ['cats_vs_dogs', path.join(tmp, 'q'), /give its folder path/],
      [zip, path.join(tmp, 'q'), /archive, read in place/],
      [tmp, path.join(tmp, 'q'), /inside the dataset folder/],
    ];
    for (const [source, dir, message] of cases) {
      const e = await run(process.execPath, [xfer, 'data', 'check', source, '--move-to', dir], { env: env(tmp) }).catch((err) => err);
      expect(e.code).toBe(2);
      expect(e.stderr).toMatch(message);
    }
    await expect(fs.access(path.join(tmp, 'q'))).rejects.toThrow();
  });
});
