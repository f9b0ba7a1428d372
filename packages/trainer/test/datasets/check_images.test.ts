import { createHash } from 'node:crypto';
import { promises as fs, statSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import sharp from 'sharp';
import { beforeAll, describe, expect, it } from 'vitest';
import { pickBackend } from '../../src/backend/pick_backend.js';
import { checkImages, quarantine, quarantineRefusal } from '../../src/datasets/check_images.js';
import { ensureDemoData } from '../../src/datasets/demo.js';
import { demoBrokenFiles } from '../../src/datasets/demo_set.js';
import { openDataset } from '../../src/datasets/open_dataset.js';
import { tempDir } from '../helpers.js';

/** What each broken file of {@link writeSet} must be reported as. */
const BROKEN: Record<string, string> = {
  'cat/bad.png': 'CORRUPT',
  'cat/empty.jpg': 'EMPTY',
  'dog/anim.gif': 'UNSUPPORTED_FORMAT',
  'dog/cut.jpg': 'TRUNCATED',
  'dog/noise.jpg': 'UNSUPPORTED_FORMAT',
};

function picture(seed: number): sharp.Sharp {
  const px = Uint8Array.from({ length: 48 * 40 * 3 }, (_, k) => (k * 7 + seed * 31 + ((k * k) % 13)) & 255);
  return sharp(px, { raw: { width: 48, height: 40, channels: 3 } });
}

/** A folder-per-class set: 4 good JPEGs per class, a PNG named .jpg (it decodes), and the files of {@link BROKEN}. */
async function writeSet(root: string): Promise<void> {
  for (const cls of ['cat', 'dog']) {
    await fs.mkdir(path.join(root, cls), { recursive: true });
    for (let i = 0; i < 4; i++) await picture(i + (cls === 'dog' ? 10 : 0)).jpeg().toFile(path.join(root, cls, `${i}.jpg`));
  }
  await picture(20).png().toFile(path.join(root, 'cat/png_named.jpg'));
  await fs.writeFile(path.join(root, 'cat/empty.jpg'), '');
  const png = await picture(21).png().toBuffer();
  const idat = png.indexOf('IDAT');
  for (let j = 8; j < 20; j++) png[idat + j]! ^= 0x5a;
  await fs.writeFile(path.join(root, 'cat/bad.png'), png);
  const jpeg = await picture(22).jpeg({ progressive: true }).toBuffer();
  await fs.writeFile(path.join(root, 'dog/cut.jpg'), jpeg.subarray(0, Math.floor(jpeg.length * 0.6)));
  let s = 7;
  await fs.writeFile(path.join(root, 'dog/noise.jpg'), Uint8Array.from({ length: 3000 }, (_, k) => (k === 0 ? 0x13 : (s = (s * 1103515245 + 12345) >>> 0) >>> 24)));
  await fs.writeFile(path.join(root, 'dog/anim.gif'), Buffer.from('GIF89a\x01\x00\x01\x00\x00\x00\x00;', 'latin1'));
}

/** Every file under dir, by relative path, with the md5 of its bytes. */
async function snapshot(dir: string): Promise<Record<string, string>> {
  const out: Record<string, string> = {};
  for (const e of await fs.readdir(dir, { recursive: true, withFileTypes: true })) {
    if (!e.isFile()) continue;
    const full = path.join(e.parentPath, e.name);
    out[path.relative(dir, full)] = createHash('md5').update(await fs.readFile(full)).digest('hex');
  }
  return out;
}

const relative = (root: string, items: readonly { source: string }[]) => items.map((b) => path.relative(root, b.source));

describe('checkImages', () => {
  beforeAll(async () => {
    await pickBackend('cpu');
  });

  it('decodes every listed image and reports exactly the broken ones, by reason code, deleting nothing', async () => {
    const root = tempDir('xfer-check-');
    await writeSet(root);
    const before = await snapshot(root);
    const progress: number[] = [];
    const check = await checkImages(await openDataset(root), { threads: 2, onProgress: (done, total) => progress.push(done / total) });
    expect(check.listed).toBe(14);
    expect(check.decoded).toBe(9);
    expect(check.broken.map((b) => [path.relative(root, b.source), b.reason.split(':')[0]])).toEqual(Object.entries(BROKEN));
    expect(check.broken.find((b) => b.source.endsWith('cut.jpg'))!.reason).toMatch(/^TRUNCATED: truncated JPEG/);
    expect(check.counts).toEqual({ TRUNCATED: 1, CORRUPT: 1, EMPTY: 1, UNSUPPORTED_FORMAT: 2, TOO_LARGE: 0, IO: 0 });
    expect(check.skippedByRules).toEqual([]);
    expect(progress.at(-1)).toBe(1);
    expect([...progress].sort((a, b) => a - b)).toEqual(progress);
    expect(await snapshot(root)).toEqual(before);
  });

  it('quarantine moves the broken files under the folder at their relative paths, and the set then checks clean', async () => {
    const root = tempDir('xfer-check-');
    const dir = path.join(tempDir('xfer-quarantine-'), 'broken');
    await writeSet(root);
    const before = await snapshot(root);
    const check = await checkImages(await openDataset(root));
    const moved = await quarantine(check.broken, root, dir);
    expect(moved).toEqual(Object.keys(BROKEN).map((f) => ({ from: path.join(root, f), to: path.join(dir, f) })));
    const after = await snapshot(root);
    const quarantined = await snapshot(dir);
    expect(Object.keys(quarantined).sort()).toEqual(Object.keys(BROKEN));
    for (const [f, md5] of Object.entries(before)) expect(after[f] ?? quarantined[f]).toBe(md5);
    expect(Object.keys(after)).toHaveLength(Object.keys(before).length - 5);
    const again = await checkImages(await openDataset(root));
    expect([again.listed, again.decoded, again.broken]).toEqual([9, 9, []]);
  });

  it('quarantine refuses to overwrite: it names the file in the way and moves nothing', async () => {
    const root = tempDir('xfer-check-');
    const dir = tempDir('xfer-quarantine-');
    await writeSet(root);
    await fs.mkdir(path.join(dir, 'dog'));
    await fs.writeFile(path.join(dir, 'dog/noise.jpg'), 'mine');
    const before = await snapshot(root);
    const check = await checkImages(await openDataset(root));
    await expect(quarantine(check.broken, root, dir)).rejects.toThrow(`${path.join(dir, 'dog/noise.jpg')} already exists`);
    expect(await snapshot(root)).toEqual(before);
    expect(await fs.readFile(path.join(dir, 'dog/noise.jpg'), 'utf8')).toBe('mine');
  });

  it("lists the dataset's rule-skipped files apart from the decode failures, and quarantines both", async () => {
    const demo = await ensureDemoData({ dir: tempDir('xfer-check-demo-'), perClass: 6, minSize: 40, maxSize: 80 });
    const dataset = await openDataset(demo.root);
    expect(dataset.kind).toBe('cats_vs_dogs-folder');
    const check = await checkImages(dataset);
    const broken = demoBrokenFiles({ perClass: 6 });
    const names = (keep: (b: (typeof broken)[number]) => boolean) => broken.filter(keep).map((b) => b.name).sort();
    expect(relative(demo.root, check.broken)).toEqual(names((b) => b.keptByJfifFilter && !b.decodable));
    expect(relative(demo.root, check.skippedByRules).sort()).toEqual(names((b) => !b.keptByJfifFilter));
    expect(check.listed).toBe(check.decoded + check.broken.length);
    const dir = tempDir('xfer-quarantine-');
    const moved = await quarantine([...check.broken, ...check.skippedByRules], demo.root, dir);
    expect(moved.map((m) => path.relative(dir, m.to)).sort()).toEqual(names((b) => !b.keptByJfifFilter || !b.decodable));
    for (const m of moved) await expect(fs.access(m.from)).rejects.toThrow();
  });

  const shm = '/dev/shm';
  const otherDevice = (statSync(shm, { throwIfNoEntry: false })?.dev ?? statSync(os.tmpdir()).dev) !== statSync(os.tmpdir()).dev;
  it.skipIf(!otherDevice)('quarantine copies then unlinks where rename cannot cross file systems', async () => {
    const root = tempDir('xfer-check-');
    await writeSet(root);
    const before = await snapshot(root);
    const dir = await fs.mkdtemp(path.join(shm, 'xfer-quarantine-'));
    try {
      const moved = await quarantine((await checkImages(await openDataset(root))).broken, root, dir);
      expect(moved).toHaveLength(5);
      for (const m of moved) expect(createHash('md5').update(await fs.readFile(m.to)).digest('hex')).toBe(before[path.relative(root, m.from)]);
      expect(Object.keys(await snapshot(root))).toHaveLength(Object.keys(before).length - 5);
    } finally {
      await fs.rm(dir, { recursive: true, force: true });
    }
  });
});

describe('quarantineRefusal', () => {
  it('refuses sources xfer made or found, archives, and a folder inside the dataset; allows a folder outside it', async () => {
    const root = tempDir('xfer-refuse-');
    await fs.writeFile(path.join(root, 'set.zip'), 'PK');
    expect(quarantineRefusal('demo', '/tmp/q')).toMatch(/generated and cached by xfer/);
    expect(quarantineRefusal('cats_vs_dogs', '/tmp/q')).toMatch(/give its folder path/);
    expect(quarantineRefusal(path.join(root, 'set.zip'), '/tmp/q')).toMatch(/archive.*extract it/);
    expect(quarantineRefusal(root, path.join(root, 'broken'))).toMatch(/inside the dataset folder/);
    expect(quarantineRefusal(root, root)).toMatch(/inside the dataset folder/);
    expect(quarantineRefusal(root, `${root}-broken`)).toBeUndefined();
  });
});
