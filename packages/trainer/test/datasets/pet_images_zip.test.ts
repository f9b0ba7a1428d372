import { createHash } from 'node:crypto';
import { createWriteStream, promises as fs } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import yazl from 'yazl';
import { readPetImagesZip } from '../../src/datasets/pet_images_zip.js';
import { sliceSplit } from '../../src/datasets/split.js';
import { ZipArchive } from '../../src/datasets/zip_archive.js';

// A payload whose "JFIF" starts at byte `at` (or nowhere for -1), padded to `size` bytes.
function payload(at: number, size: number, fill: number): Buffer {
  const b = Buffer.alloc(size, fill);
  b[0] = 0xff;
  b[1] = 0xd8;
  if (at >= 0) b.write('JFIF', at, 'latin1');
  return b;
}

async function writeZip(file: string, add: (z: yazl.ZipFile) => void): Promise<void> {
  const z = new yazl.ZipFile();
  add(z);
  z.end();
  await new Promise<void>((resolve, reject) => {
    z.outputStream.pipe(createWriteStream(file)).on('close', resolve).on('error', reject);
  });
}

describe('the Microsoft archive read in place, the TFDS way', () => {
  let dir: string;
  let big: string;
  // Where each entry puts its JFIF marker, decided here and checked independently below.
  const jfifAt = (cls: number, n: number): number => {
    const k = (n * 31 + cls * 7) % 100;
    return k < 6 ? -1 : k < 8 ? 600 : k < 10 ? 300 : 6;
  };

  beforeAll(async () => {
    dir = await fs.mkdtemp(path.join(os.tmpdir(), 'xfer-zip-'));
    big = path.join(dir, 'kagglecatsanddogs_test.zip');
    await writeZip(big, (z) => {
      ['Cat', 'Dog'].forEach((c, cls) => {
        for (let n = 0; n < 12500; n++) z.addBuffer(payload(jfifAt(cls, n), 700, n & 0xff), `PetImages/${c}/${n}.jpg`, { compress: false });
        z.addBuffer(Buffer.from('thumbs'), `PetImages/${c}/Thumbs.db`);
      });
      z.addBuffer(Buffer.from('readme'), 'readme[1].txt');
      z.addBuffer(payload(6, 700, 1), 'PetImages/Cat/12.JPG');
      z.addBuffer(payload(6, 700, 1), 'PetImages/Bird/1.jpg');
    });
  }, 60_000);
  afterAll(() => fs.rm(dir, { recursive: true, force: true }));

  it('keeps, skips and orders 25,000 entries exactly as an independent computation of the rules', async () => {
    const listing = await readPetImagesZip(big);
    const kept: { name: string; label: number; key: string }[] = [];
    let skipped = 0;
    ['Cat', 'Dog'].forEach((c, cls) => {
      for (let n = 0; n < 12500; n++) {
        const at = jfifAt(cls, n);
        const name = `PetImages/${c}/${n}.jpg`;
        // "JFIF" must start within the first 512 bytes and fit in them.
        if (at >= 0 && at + 4 <= 512) kept.push({ name, label: cls, key: createHash('md5').update(`train${name}`).digest('hex') });
        else skipped++;
      }
    });
    kept.sort((a, b) => (a.key < b.key ? -1 : 1));
    expect(listing.examples).toHaveLength(kept.length);
    expect(listing.skipped).toHaveLength(skipped);
    listing.examples.forEach((e, i) => {
      expect(e.source).toMatchObject({ kind: 'zip', archive: big, entry: kept[i]!.name });
      expect(e.label).toBe(kept[i]!.label);
    });
    expect(listing.ignored).toEqual(['PetImages/Bird/1.jpg', 'PetImages/Cat/12.JPG', 'PetImages/Cat/Thumbs.db', 'PetImages/Dog/Thumbs.db', 'readme[1].txt']);
    const train = sliceSplit(listing.examples, 'train[:40%]');
    expect(train[0]).toEqual(listing.examples[0]);
    expect(train).toHaveLength(Math.round((kept.length * 40) / 100));
  }, 120_000);

  it('refuses symbolic links and compression bombs, and reads ordinary entries whole', async () => {
    const file = path.join(dir, 'hostile.zip');
    await writeZip(file, (z) => {
      z.addBuffer(Buffer.from('../../etc/passwd'), 'PetImages/Cat/1.jpg', { mode: 0o120777 });
      z.addBuffer(Buffer.alloc(8 << 20), 'PetImages/Cat/2.jpg');
      z.addBuffer(payload(6, 700, 3), 'PetImages/Cat/3.jpg');
    });
    const zip = await ZipArchive.open(file);
    await expect(zip.read('PetImages/Cat/1.jpg')).rejects.toThrow(/hostile\.zip!\/PetImages\/Cat\/1\.jpg: refused, the entry is a symbolic link/);
    await expect(zip.read('PetImages/Cat/2.jpg')).rejects.toThrow(/refused, compression ratio \d+:1 is over the limit of 200:1/);
    expect(Buffer.from(await zip.read('PetImages/Cat/3.jpg'))).toEqual(payload(6, 700, 3));
    zip.close();
  });
});
