import { createHash } from 'node:crypto';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';

import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import {
  hasJfifMarker,
  jfifSkipReason,
  petImagesListing,
  readPetImages,
  tfdsOrderKey,
} from '../../src/datasets/pet_images.js';
import { sourceName, type ExampleSource } from '../../src/datasets/example.js';

/** A fake file: SOI and an APP1 marker (FF D8 FF E1), filler, and "JFIF" at `at` (none when null). */
function fakeJpeg(at: number | null, size = 1024): Buffer {
  const b = Buffer.alloc(Math.max(size, at === null ? 0 : at + 4), 0x20);
  b[0] = 0xff;
  b[1] = 0xd8;
  b[2] = 0xff;
  b[3] = 0xe1;
  if (at !== null) b.write('JFIF', at, 'latin1');
  return b;
}

const PNG_SIG = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);

let tmp: string;
let root: string;
/** name (relative to root, '/') → expectation */
const expectKept = new Map<string, number>(); // name -> label
const expectSkipped = new Map<string, RegExp>(); // name -> reason pattern
const ignoredNames: string[] = [];

function put(name: string, bytes: Buffer): void {
  const p = path.join(root, ...name.split('/'));
  mkdirSync(path.dirname(p), { recursive: true });
  writeFileSync(p, bytes);
}

beforeAll(() => {
  tmp = mkdtempSync(path.join(os.tmpdir(), 'xfer-pet-'));
  root = path.join(tmp, 'extracted');
  const kept = (name: string, at: number | null, size?: number): void => {
    put(name, fakeJpeg(at, size));
    expectKept.set(name, name.includes('/Cat/') ? 0 : 1);
  };
  const skipped = (name: string, bytes: Buffer, reason: RegExp): void => {
    put(name, bytes);
    expectSkipped.set(name, reason);
  };
  const ignored = (name: string, bytes: Buffer): void => {
    put(name, bytes);
    ignoredNames.push(name);
  };
  // The window: "JFIF" must lie entirely within bytes 0..511.
  kept('PetImages/Cat/1.jpg', 300);
  kept('PetImages/Cat/2.jpg', 508); // bytes 508..511: still inside
  kept('PetImages/Cat/3.jpg', 6);
  kept('PetImages/Cat/4.jpg', 0, 4); // a 4-byte file that is just "JFIF"
  kept('PetImages/Dog/1.jpg', 300);
  kept('PetImages/Dog/20.jpg', 100, 200); // shorter than the window
  skipped('PetImages/Cat/5.jpg', fakeJpeg(600), /^no JFIF marker in the first 512 bytes \(not a JFIF JPEG: a JPEG/);
  skipped('PetImages/Cat/6.jpg', fakeJpeg(509), /^no JFIF marker in the first 512 bytes/); // straddles 512
  skipped('PetImages/Cat/7.jpg', fakeJpeg(null), /^no JFIF marker in the first 512 bytes/);
  skipped('PetImages/Cat/8.jpg', Buffer.alloc(0), /^empty file \(0 bytes\)$/);
  skipped('PetImages/Dog/2.jpg', Buffer.concat([PNG_SIG, Buffer.alloc(600)]), /PNG data/);
  skipped('PetImages/Dog/3.jpg', Buffer.from('GIF89a\x01\x00\x01\x00', 'latin1'), /GIF data/);
  skipped('PetImages/Dog/4.jpg', fakeJpeg(4000, 5000), /no JFIF marker in the first 512 bytes/);
  // Outside the pattern, even with a JFIF marker.
  ignored('PetImages/Cat/Thumbs.db', fakeJpeg(6));
  ignored('PetImages/Cat/12.JPG', fakeJpeg(6));
  ignored('PetImages/Cat/a.jpg', fakeJpeg(6));
  ignored('PetImages/Cat/1.jpeg', fakeJpeg(6));
  ignored('PetImages/Cat/1.jpg.bak', fakeJpeg(6));
  ignored('PetImages/Cat/nested/9.jpg', fakeJpeg(6));
  ignored('PetImages/Dog/-1.jpg', fakeJpeg(6));
  ignored('PetImages/cat/10.jpg', fakeJpeg(6));
  ignored('PetImages/9.jpg', fakeJpeg(6));
  ignored('PetImages/readme.txt', Buffer.from('hello'));
  // Enough kept files for the order to mean something.
  for (let i = 100; i < 160; i++) {
    kept(`PetImages/${i % 3 === 0 ? 'Dog' : 'Cat'}/${i}.jpg`, (i * 37) % 500, 512 + i);
  }
  // Something beside PetImages that must not be looked at.
  writeFileSync(path.join(root, 'readme[1].txt'), 'x');
  mkdirSync(path.join(tmp, 'nothing-here'));
  mkdirSync(path.join(tmp, 'only-junk', 'PetImages', 'Cat'), { recursive: true });
  writeFileSync(path.join(tmp, 'only-junk', 'PetImages', 'Cat', 'Thumbs.db'), 'x');
});

afterAll(() => rmSync(tmp, { recursive: true, force: true }));

/** The TFDS order, computed independently: sort by the raw 16-byte MD5 digests. */
function md5Order(names: string[]): string[] {
  const digest = (n: string): Buffer => createHash('md5').update(Buffer.from(`train${n}`, 'utf8')).digest();
  return [...names].sort((a, b) => Buffer.compare(digest(a), digest(b)));
}

const rel = (source: string | ExampleSource): string => path.relative(root, typeof source === 'string' ? source : sourceName(source)).split(path.sep).join('/');

describe('readPetImages', () => {
  it('keeps, skips and ignores exactly the expected files', async () => {
    const l = await readPetImages(root);
    expect(l.classNames).toEqual(['cat', 'dog']);
    expect(new Set(l.examples.map((e) => rel(e.source)))).toEqual(new Set(expectKept.keys()));
    expect(new Set(l.skipped.map((s) => rel(s.source)))).toEqual(new Set(expectSkipped.keys()));
    expect([...l.ignored].sort()).toEqual([...ignoredNames].sort());
    expect(l.examples.length).toBe(expectKept.size);
    for (const s of l.skipped) expect(s.reason, rel(s.source)).toMatch(expectSkipped.get(rel(s.source))!);
  });

  it('labels cats 0 and dogs 1', async () => {
    const l = await readPetImages(root);
    for (const e of l.examples) expect(e.label, rel(e.source)).toBe(expectKept.get(rel(e.source)));
    expect(l.examples.some((e) => e.label === 0) && l.examples.some((e) => e.label === 1)).toBe(true);
  });

  it('orders by md5("train" + name), as computed independently', async () => {
    const l = await readPetImages(root);
    const names = l.examples.map((e) => rel(e.source));
    expect(names).toEqual(md5Order([...expectKept.keys()]));
    // Not accidentally the directory or numeric order.
    expect(names).not.toEqual([...names].sort());
    expect(l.skipped.map((s) => rel(s.source))).toEqual(md5Order([...expectSkipped.keys()]));
  });

  it('gives absolute sources', async () => {
    const l = await readPetImages(path.relative(process.cwd(), root));
    for (const e of l.examples) expect(e.source.kind === 'file' && path.isAbsolute(e.source.path)).toBe(true);
    expect(sourceName(l.examples[0]!.source).startsWith(root + path.sep)).toBe(true);
  });

  it('accepts the PetImages folder itself', async () => {
    const a = await readPetImages(root);
    const b = await readPetImages(path.join(root, 'PetImages'));
    expect(b).toEqual(a);
  });

  it('explains a missing folder', async () => {
    await expect(readPetImages(path.join(tmp, 'nothing-here'))).rejects.toThrow(
      /has no PetImages folder.*PetImages[\\/]Cat[\\/]\*\.jpg and .*PetImages[\\/]Dog[\\/]\*\.jpg/,
    );
    await expect(readPetImages(path.join(tmp, 'does-not-exist'))).rejects.toThrow(/does not exist/);
  });

  it('explains a folder without images', async () => {
    await expect(readPetImages(path.join(tmp, 'only-junk'))).rejects.toThrow(/no images in .*PetImages.*found 1 other file/);
  });
});

describe('the TFDS rules as pure functions', () => {
  it('looks for JFIF only in the first 512 bytes', () => {
    expect(hasJfifMarker(fakeJpeg(508))).toBe(true);
    expect(hasJfifMarker(fakeJpeg(509))).toBe(false);
    expect(hasJfifMarker(Buffer.from('JFI'))).toBe(false);
    expect(jfifSkipReason(fakeJpeg(0, 4))).toBeNull();
    expect(jfifSkipReason(new Uint8Array(0))).toBe('empty file (0 bytes)');
  });

  it('keys on "/" names even when given backslashes', () => {
    const expected = createHash('md5').update('trainPetImages/Cat/5.jpg').digest('hex');
    expect(tfdsOrderKey('PetImages\\Cat\\5.jpg')).toBe(expected);
    expect(tfdsOrderKey('PetImages/Cat/5.jpg')).toBe(expected);
  });

  it('works on zip-like entries', () => {
    const zipAt = (entry: string): ExampleSource => ({ kind: 'zip', archive: 'a.zip', entry, range: { offset: 0, length: 1, deflated: false, size: 1 } });
    const l = petImagesListing([
      { name: 'PetImages\\Dog\\7.jpg', where: 'a.zip!/PetImages/Dog/7.jpg', source: zipAt('PetImages/Dog/7.jpg'), head: fakeJpeg(10) },
      { name: 'PetImages/Cat/7.jpg', where: 'a.zip!/PetImages/Cat/7.jpg', source: zipAt('PetImages/Cat/7.jpg'), head: fakeJpeg(null) },
      { name: 'PetImages/Cat/8.jpg', where: 'a.zip!/PetImages/Cat/8.jpg', source: zipAt('PetImages/Cat/8.jpg'), head: fakeJpeg(10) },
      { name: 'PetImages/Cat/9.jpg', where: 'a.zip!/PetImages/Cat/9.jpg', head: new Uint8Array(0), readError: 'EIO' },
      { name: 'PetImages/Cat/Thumbs.db', where: 'a.zip!/PetImages/Cat/Thumbs.db', head: new Uint8Array(0) },
      { name: 'README.txt', where: 'a.zip!/README.txt', head: new Uint8Array(0) },
    ]);
    const order = md5Order(['PetImages/Dog/7.jpg', 'PetImages/Cat/8.jpg']);
    expect(l.examples).toEqual(
      order.map((n) => ({ source: zipAt(n), label: n.includes('Cat') ? 0 : 1 })),
    );
    expect(l.skipped.map((s) => s.source).sort()).toEqual(['a.zip!/PetImages/Cat/7.jpg', 'a.zip!/PetImages/Cat/9.jpg']);
    expect(l.skipped.find((s) => s.source.endsWith('9.jpg'))!.reason).toBe('cannot read the file (EIO)');
    expect(l.ignored).toEqual(['PetImages/Cat/Thumbs.db', 'README.txt']);
  });
});
