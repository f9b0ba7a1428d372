/**
 * A progressive JPEG can repeat scans thousands of times; libjpeg re-walks the
 * coefficient buffer for each, so a small file costs minutes. decode counts
 * SOS markers first and refuses more than 500 (libjpeg-turbo's scan limit).
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';

import sharp from 'sharp';
import { beforeAll, describe, expect, it } from 'vitest';

import { DecodeError, Loader, decode } from '../src/index.js';
import { corpus, corpusPath, tempDir } from './helpers.js';

const SOS = 0xda;
const EOI = 0xd9;

interface Scan {
  start: number;
  end: number;
}

/** Where each scan (SOS segment plus its entropy-coded data) lies in a well-formed JPEG. */
function scans(jpeg: Uint8Array): Scan[] {
  const found: Scan[] = [];
  let pos = 2;
  while (pos + 4 <= jpeg.length && jpeg[pos + 1] !== EOI) {
    const marker = jpeg[pos + 1]!;
    const start = pos;
    pos += 2 + ((jpeg[pos + 2]! << 8) | jpeg[pos + 3]!);
    if (marker !== SOS) continue;
    // Entropy data runs to the next 0xFF that is not a stuffed 0x00 or a restart marker.
    while (!(jpeg[pos] === 0xff && jpeg[pos + 1] !== 0x00 && (jpeg[pos + 1]! & 0xf8) !== 0xd0)) pos++;
    found.push({ start, end: pos });
  }
  return found;
}

/** `jpeg` with its last scan repeated until the stream holds `total` scans. */
function withScans(jpeg: Uint8Array, total: number): Uint8Array {
  const all = scans(jpeg);
  const last = all[all.length - 1]!;
  const extra = total - all.length;
  if (extra < 0) throw new Error(`the JPEG already has ${all.length} scans`);
  const scan = jpeg.subarray(last.start, last.end);
  const parts = [jpeg.subarray(0, last.end), ...Array<Uint8Array>(extra).fill(scan), jpeg.subarray(last.end)];
  return Uint8Array.from(Buffer.concat(parts));
}

/** `jpeg` with an APP15 segment whose payload is `count` copies of FF DA (not markers: inside a segment). */
function withSosBytesInApp(jpeg: Uint8Array, count: number): Uint8Array {
  const payload = new Uint8Array(count * 2).map((_, i) => (i % 2 === 0 ? 0xff : SOS));
  const length = payload.length + 2;
  const app = Uint8Array.from([0xff, 0xef, length >> 8, length & 0xff, ...payload]);
  return Uint8Array.from(Buffer.concat([jpeg.subarray(0, 2), app, jpeg.subarray(2)]));
}

async function decodeError(bytes: Uint8Array): Promise<DecodeError> {
  const err = await decode(bytes).then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(DecodeError);
  return err as DecodeError;
}

let progressive: Uint8Array;
beforeAll(async () => {
  const photo = corpusPath(corpus().find((e) => !e.gray)!);
  progressive = Uint8Array.from(await sharp(photo).resize(96, 64).jpeg({ progressive: true }).toBuffer());
});

describe('progressive bomb', () => {
  it('the fixture is what it claims: a progressive stream whose scans are all found', () => {
    expect(scans(progressive).length).toBeGreaterThanOrEqual(6);
    expect(scans(withScans(progressive, 3000)).length).toBe(3000);
  });

  it('3000 scans are refused as TOO_LARGE, naming the scan count and the limit, without decoding', async () => {
    const bomb = withScans(progressive, 3000);
    const started = performance.now();
    const err = await decodeError(bomb);
    const ms = performance.now() - started;
    expect(err.code).toBe('TOO_LARGE');
    expect(err.message).toMatch(/^<buffer>: JPEG has 3000 scans, over the limit of 500 \(a progressive bomb/);
    // Counting is one pass over ~1 MB; decoding 3000 scans takes far longer.
    expect(ms).toBeLessThan(250);
  });

  it('the limit is exact: 500 scans decode, 501 are refused', async () => {
    const atLimit = await decode(withScans(progressive, 500));
    expect([atLimit.width, atLimit.height]).toEqual([96, 64]);
    const over = await decodeError(withScans(progressive, 501));
    expect(over.message).toMatch(/JPEG has 501 scans/);
  });

  it('FF DA bytes inside a marker segment are not scans', async () => {
    const image = await decode(withSosBytesInApp(progressive, 2000));
    expect([image.width, image.height]).toEqual([96, 64]);
  });

  it('a Loader with onError skip records the bomb and yields every other image', async () => {
    const dir = tempDir('xfer-bomb-');
    const good = join(dir, 'good.jpg');
    const bomb = join(dir, 'bomb.jpg');
    writeFileSync(good, progressive);
    writeFileSync(bomb, withScans(progressive, 5000));
    const sources = [good, bomb, good, good, bomb, good];
    const loader = new Loader({ sources, labels: sources.map(() => 0), size: [32, 32], batchSize: 2, threads: 2 });
    try {
      let images = 0;
      for await (const b of loader.epoch(0)) {
        images += b.size;
        b.release();
      }
      expect(images).toBe(4);
      const skipped = loader.stats().skipped;
      expect(skipped.map((s) => [s.index, s.source, s.code])).toEqual([
        [1, bomb, 'TOO_LARGE'],
        [4, bomb, 'TOO_LARGE'],
      ]);
      expect(skipped[0]!.reason).toMatch(/5000 scans, over the limit of 500/);
    } finally {
      await loader.close();
    }
  });
});
