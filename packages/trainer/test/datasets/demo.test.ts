import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';

import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { DEMO_MARKER_FILE, defaultDemoDir, ensureDemoData } from '../../src/datasets/demo.js';
import { demoBrokenFiles, type DemoBrokenFile } from '../../src/datasets/demo_set.js';
import { sourceName } from '../../src/datasets/example.js';
import { readPetImages } from '../../src/datasets/pet_images.js';

const PER_CLASS = 12;
const OPTS = { perClass: PER_CLASS, seed: 7 } as const; // default sizes: 200..500, a few up to 900

let tmp: string;
let rootA: string;
let rootB: string;
let progress: [number, number][] = [];

function listFiles(dir: string): string[] {
  const out: string[] = [];
  const walk = (d: string, rel: string): void => {
    for (const e of readdirSync(d, { withFileTypes: true })) {
      const r = rel ? `${rel}/${e.name}` : e.name;
      if (e.isDirectory()) walk(path.join(d, e.name), r);
      else out.push(r);
    }
  };
  walk(dir, '');
  return out.sort();
}

beforeAll(async () => {
  tmp = mkdtempSync(path.join(os.tmpdir(), 'xfer-demo-'));
  const a = await ensureDemoData({ ...OPTS, dir: path.join(tmp, 'a'), onProgress: (d, t) => progress.push([d, t]) });
  const b = await ensureDemoData({ ...OPTS, dir: path.join(tmp, 'b', 'nested') });
  expect(a.created && b.created).toBe(true);
  rootA = a.root;
  rootB = b.root;
});

afterAll(() => rmSync(tmp, { recursive: true, force: true }));

const broken = (): DemoBrokenFile[] => demoBrokenFiles(OPTS);
const brokenNames = (): Set<string> => new Set(broken().map((b) => b.name));
const read = (root: string, name: string): Buffer => readFileSync(path.join(root, ...name.split('/')));

describe('ensureDemoData', () => {
  it('writes PetImages/Cat and Dog, 0..n-1 .jpg, plus the marker', () => {
    const files = listFiles(rootA);
    const expected = [DEMO_MARKER_FILE];
    for (const c of ['Cat', 'Dog']) for (let i = 0; i < PER_CLASS; i++) expected.push(`PetImages/${c}/${i}.jpg`);
    expect(files).toEqual(expected.sort());
    expect(readdirSync(tmp).sort()).toEqual(['a', 'b']); // no temp folder left behind
  });

  it('reports progress from 0 to total', () => {
    expect(progress[0]).toEqual([0, 2 * PER_CLASS]);
    expect(progress.at(-1)).toEqual([2 * PER_CLASS, 2 * PER_CLASS]);
    expect(progress.length).toBe(2 * PER_CLASS + 1);
  });

  it('is deterministic: the same bytes in two folders', () => {
    const files = listFiles(rootA);
    expect(listFiles(rootB)).toEqual(files);
    for (const f of files) expect(read(rootB, f).equals(read(rootA, f)), f).toBe(true);
  });

  it('depends on the seed', async () => {
    const c = await ensureDemoData({ perClass: 2, seed: 8, broken: false, dir: path.join(tmp, 'c') });
    const d = await ensureDemoData({ perClass: 2, seed: 7, broken: false, dir: path.join(tmp, 'd') });
    expect(read(c.root, 'PetImages/Cat/0.jpg').equals(read(d.root, 'PetImages/Cat/0.jpg'))).toBe(false);
    expect(read(d.root, 'PetImages/Cat/0.jpg').equals(read(rootA, 'PetImages/Cat/0.jpg'))).toBe(true);
  });

  it('writes valid JFIF JPEGs of the expected sizes', async () => {
    const skip = brokenNames();
    const sizes: number[] = [];
    for (const c of ['Cat', 'Dog']) {
      for (let i = 0; i < PER_CLASS; i++) {
        const name = `PetImages/${c}/${i}.jpg`;
        if (skip.has(name)) continue;
        const bytes = read(rootA, name);
        expect([bytes[0], bytes[1]], name).toEqual([0xff, 0xd8]);
        expect(bytes.subarray(6, 11).toString('latin1'), name).toBe('JFIF\0'); // APP0 right after SOI
        const { data, info } = await sharp(bytes).raw().toBuffer({ resolveWithObject: true });
        expect(info.channels, name).toBe(3);
        expect(data.length, name).toBe(info.width * info.height * 3);
        expect(Math.min(info.width, info.height), name).toBeGreaterThanOrEqual(200);
        expect(Math.max(info.width, info.height), name).toBeLessThanOrEqual(900);
        sizes.push(info.width, info.height);
      }
    }
    expect(new Set(sizes).size).toBeGreaterThan(10); // varied
  });

  it('places the broken files described by demoBrokenFiles', async () => {
    const list = broken();
    expect(list.map((b) => `${b.className}/${b.index}:${b.kind}`)).toEqual([
      'Cat/1:empty', 'Cat/3:truncated', 'Cat/5:png', 'Cat/7:gif', 'Cat/9:no-jfif', 'Cat/11:late-jfif',
      'Dog/1:empty', 'Dog/3:truncated', 'Dog/5:png', 'Dog/7:gif', 'Dog/9:no-jfif', 'Dog/11:late-jfif',
    ]);
    for (const b of list) {
      const bytes = read(rootA, b.name);
      const where = `${b.name} (${b.kind})`;
      switch (b.kind) {
        case 'empty':
          expect(bytes.length, where).toBe(0);
          break;
        case 'truncated':
          expect(bytes.subarray(6, 10).toString('latin1'), where).toBe('JFIF');
          expect(bytes.includes(Buffer.from([0xff, 0xda])), where).toBe(true); // has scan data...
          expect(bytes.subarray(-2).equals(Buffer.from([0xff, 0xd9])), where).toBe(false); // ...but no EOI
          await expect(sharp(bytes).raw().toBuffer(), where).rejects.toThrow(/premature end|truncated/i);
          break;
        case 'png':
          expect(bytes.subarray(0, 8).equals(Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a])), where).toBe(true);
          expect((await sharp(bytes).metadata()).format, where).toBe('png');
          break;
        case 'gif':
          expect(bytes.subarray(0, 6).toString('latin1'), where).toBe('GIF89a');
          expect(bytes.length, where).toBeLessThan(2000);
          expect((await sharp(bytes).metadata()).format, where).toBe('gif');
          break;
        case 'no-jfif':
          expect(bytes.includes('JFIF'), where).toBe(false);
          expect([bytes[2], bytes[3]], where).toEqual([0xff, 0xe1]); // Exif APP1 first
          expect(bytes.subarray(6, 10).toString('latin1'), where).toBe('Exif');
          expect((await sharp(bytes).raw().toBuffer()).length, where).toBeGreaterThan(0);
          break;
        case 'late-jfif': {
          const at = bytes.indexOf('JFIF');
          expect(at, where).toBeGreaterThan(512);
          expect(at, where).toBeLessThan(8192);
          expect((await sharp(bytes).raw().toBuffer()).length, where).toBeGreaterThan(0);
          break;
        }
      }
    }
  });

  it('is read by readPetImages with the TFDS filter keeping exactly the JFIF-headed files', async () => {
    const l = await readPetImages(rootA);
    const rel = (s: string): string => path.relative(rootA, s).split(path.sep).join('/');
    const list = broken();
    const expectedSkipped = list.filter((b) => !b.keptByJfifFilter).map((b) => b.name);
    expect(l.skipped.map((s) => rel(s.source)).sort()).toEqual(expectedSkipped.sort());
    // 0-byte, PNG, GIF, Exif-only and late-JFIF are skipped; the truncated JFIF JPEG is kept (the
    // decoder has to catch it later).
    expect(list.filter((b) => !b.keptByJfifFilter).map((b) => b.kind).sort()).toEqual(
      ['empty', 'empty', 'gif', 'gif', 'late-jfif', 'late-jfif', 'no-jfif', 'no-jfif', 'png', 'png'],
    );
    const kept = new Set(l.examples.map((e) => rel(sourceName(e.source))));
    expect(kept.has('PetImages/Cat/3.jpg') && kept.has('PetImages/Dog/3.jpg')).toBe(true);
    expect(l.examples.length).toBe(2 * PER_CLASS - expectedSkipped.length);
    expect(l.examples.filter((e) => e.label === 0).length).toBe(PER_CLASS - expectedSkipped.length / 2);
    expect(l.ignored).toEqual([]);
  });

  it('does not regenerate a completed set', async () => {
    const marker = path.join(rootA, DEMO_MARKER_FILE);
    const before = statSync(marker).mtimeMs;
    const sample = path.join(rootA, 'PetImages', 'Dog', '0.jpg');
    const sampleBefore = statSync(sample).mtimeMs;
    let calls = 0;
    const again = await ensureDemoData({ ...OPTS, dir: rootA, onProgress: () => calls++ });
    expect(again).toEqual({ root: rootA, created: false });
    expect(calls).toBe(0);
    expect(statSync(marker).mtimeMs).toBe(before);
    expect(statSync(sample).mtimeMs).toBe(sampleBefore);
  });

  it('refuses a folder holding something else, or a demo set with other options', async () => {
    const other = path.join(tmp, 'other');
    mkdirSync(other);
    writeFileSync(path.join(other, 'keep.txt'), 'mine');
    await expect(ensureDemoData({ perClass: 2, dir: other })).rejects.toThrow(/not empty and is not a demo data set/);
    expect(readFileSync(path.join(other, 'keep.txt'), 'utf8')).toBe('mine');
    await expect(ensureDemoData({ ...OPTS, seed: 99, dir: rootA })).rejects.toThrow(/made with other options/);
  });

  it('generates into an existing empty folder', async () => {
    const empty = path.join(tmp, 'empty');
    mkdirSync(empty);
    const r = await ensureDemoData({ perClass: 1, minSize: 32, maxSize: 48, dir: empty });
    expect(r.created).toBe(true);
    expect(listFiles(empty)).toEqual(['PetImages/Cat/0.jpg', 'PetImages/Dog/0.jpg', DEMO_MARKER_FILE]);
  });

  it('treats a leftover temp folder (killed generation) as incomplete and removes it', async () => {
    const dir = path.join(tmp, 'killed');
    // <dir>.tmp-<host tag>-<pid>-<random>, with the pid of a process that is gone
    const host = createHash('sha256').update(os.hostname()).digest('hex').slice(0, 8);
    const stale = `${dir}.tmp-${host}-999999-deadbeef`;
    const otherHost = `${dir}.tmp-00000000-999999-deadbeef`; // another machine's: left alone
    mkdirSync(otherHost);
    mkdirSync(path.join(stale, 'PetImages', 'Cat'), { recursive: true });
    writeFileSync(path.join(stale, 'PetImages', 'Cat', '0.jpg'), 'partial');
    const r = await ensureDemoData({ perClass: 1, minSize: 32, maxSize: 48, dir });
    expect(r.created).toBe(true);
    expect(existsSync(stale)).toBe(false);
    expect(existsSync(otherHost)).toBe(true);
    expect(existsSync(path.join(dir, DEMO_MARKER_FILE))).toBe(true);
  });

  it('defaults to $XFER_CACHE_DIR/datasets/demo-<hash of options>', async () => {
    const saved = process.env['XFER_CACHE_DIR'];
    process.env['XFER_CACHE_DIR'] = path.join(tmp, 'cache');
    try {
      const opts = { perClass: 1, minSize: 32, maxSize: 48 };
      const r = await ensureDemoData(opts);
      expect(path.dirname(r.root)).toBe(path.join(tmp, 'cache', 'datasets'));
      expect(path.basename(r.root)).toMatch(/^demo-[0-9a-f]{12}$/);
      expect(r.root).toBe(defaultDemoDir(opts));
      expect(defaultDemoDir({ ...opts, seed: 2 })).not.toBe(r.root);
      expect(defaultDemoDir({ ...opts, onProgress: () => {} })).toBe(r.root);
      expect((await ensureDemoData(opts)).created).toBe(false);
    } finally {
      if (saved === undefined) delete process.env['XFER_CACHE_DIR'];
      else process.env['XFER_CACHE_DIR'] = saved;
    }
    delete process.env['XFER_CACHE_DIR'];
    expect(defaultDemoDir()).toBe(path.join(os.homedir(), '.cache', 'xfer', 'datasets', path.basename(defaultDemoDir())));
    if (saved !== undefined) process.env['XFER_CACHE_DIR'] = saved;
  });

  it('validates options', async () => {
    await expect(ensureDemoData({ perClass: 0, dir: path.join(tmp, 'x') })).rejects.toThrow(/perClass/);
    await expect(ensureDemoData({ minSize: 300, maxSize: 200, dir: path.join(tmp, 'x') })).rejects.toThrow(/maxSize/);
    expect(existsSync(path.join(tmp, 'x'))).toBe(false);
  });
});
