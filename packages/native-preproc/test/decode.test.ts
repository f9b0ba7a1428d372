import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

import sharp from 'sharp';
import { describe, expect, it } from 'vitest';

import { decode } from '../src/index.js';
import {
  corpusPath,
  corpusSample,
  djpeg,
  hasDjpeg,
  maxAbsDiff,
  meanAbsDiff,
  meanAbsDiffPerChannel,
  sharpRgb,
  tempDir,
} from './helpers.js';

describe('decode() vs sharp on the benchmark corpus', () => {
  const sample = corpusSample(30);

  it('covers grayscale, progressive and every chroma subsampling', () => {
    expect(sample.length).toBe(30);
    expect(sample.some((e) => e.gray)).toBe(true);
    expect(sample.some((e) => e.prog)).toBe(true);
    expect(new Set(sample.map((e) => e.samp))).toEqual(new Set(['1x1', '2x1', '2x2']));
  });

  it.each(sample.map((e) => [e.f, e] as const))('%s: same size, mean abs diff < 1 per channel', async (_name, e) => {
    const path = corpusPath(e);
    const [ours, ref] = await Promise.all([decode(path), sharpRgb(path)]);
    expect([ours.width, ours.height, ours.channels]).toEqual([e.w, e.h, 3]);
    expect([ref.width, ref.height]).toEqual([e.w, e.h]);
    for (const d of meanAbsDiffPerChannel(ours.data, ref.data)) expect(d).toBeLessThan(1);
  });

  it('decodes a path and the same bytes identically', async () => {
    const path = corpusPath(sample[1]!);
    const [a, b] = await Promise.all([decode(path), decode(readFileSync(path))]);
    expect(Buffer.from(b.data).equals(Buffer.from(a.data))).toBe(true);
  });
});

describe('decode() of generated colour types and bit depths', () => {
  const base = () => sharp(corpusPath(corpusSample(1)[0]!)).resize(97, 61);
  const solid = (w: number, h: number) =>
    sharp({ create: { width: w, height: h, channels: 3, background: { r: 10, g: 200, b: 30 } } });

  const cases: Array<[string, () => Promise<Buffer>, string]> = [
    ['16-bit RGB PNG', () => base().toColourspace('rgb16').png().toBuffer(), 'ushort'],
    ['palette PNG', () => base().png({ palette: true, colours: 64 }).toBuffer(), 'palette'],
    ['gray+alpha PNG', () => base().grayscale().ensureAlpha(0.5).png().toBuffer(), 'uchar'],
    ['RGBA PNG', () => base().ensureAlpha(0.25).png().toBuffer(), 'uchar'],
    ['gray PNG', () => base().grayscale().png().toBuffer(), 'uchar'],
    ['16-bit gray PNG', () => base().grayscale().toColourspace('grey16').png().toBuffer(), 'ushort'],
    ['interlaced PNG', () => base().png({ progressive: true }).toBuffer(), 'uchar'],
    ['gray JPEG', () => base().grayscale().jpeg().toBuffer(), 'uchar'],
    ['4:4:4 JPEG', () => base().jpeg({ chromaSubsampling: '4:4:4' }).toBuffer(), 'uchar'],
    ['1x1 JPEG', () => solid(1, 1).jpeg().toBuffer(), 'uchar'],
    ['1x1 PNG', () => solid(1, 1).png().toBuffer(), 'uchar'],
  ];

  it.each(cases)('%s matches sharp (mean abs diff < 1 per channel)', async (_name, make, depthOrPalette) => {
    const bytes = await make();
    const meta = await sharp(bytes).metadata();
    // Make sure the fixture really is what the case claims.
    if (depthOrPalette === 'palette') expect(meta.isPalette).toBe(true);
    else expect(meta.depth).toBe(depthOrPalette);
    const [ours, ref] = await Promise.all([decode(bytes), sharpRgb(bytes)]);
    expect([ours.width, ours.height]).toEqual([ref.width, ref.height]);
    for (const d of meanAbsDiffPerChannel(ours.data, ref.data)) expect(d).toBeLessThan(1);
  });

  it('PNG alpha is dropped, not composited', async () => {
    // A fully transparent red pixel stays red.
    const bytes = await sharp({
      create: { width: 2, height: 1, channels: 4, background: { r: 255, g: 0, b: 0, alpha: 0 } },
    })
      .png()
      .toBuffer();
    const img = await decode(bytes);
    expect(Array.from(img.data)).toEqual([255, 0, 0, 255, 0, 0]);
  });

  describe('CMYK JPEG', () => {
    const make = () => base().toColourspace('cmyk').jpeg().toBuffer();

    it.skipIf(!hasDjpeg)('equals djpeg (Adobe inverted CMYK, R = C*K/255)', async () => {
      const bytes = await make();
      expect((await sharp(bytes).metadata()).space).toBe('cmyk');
      const file = join(tempDir('xfer-cmyk-'), 'cmyk.jpg');
      writeFileSync(file, bytes);
      const ours = await decode(bytes);
      const ref = djpeg(file);
      expect([ours.width, ours.height]).toEqual([ref.width, ref.height]);
      expect(maxAbsDiff(ours.data, ref.data)).toBe(0);
    });

    it('is far closer to sharp (which converts through ICC profiles) than its negative is', async () => {
      // ICC-managed and naive conversions differ by tens of levels, so this
      // only guards the convention: reading the ink the wrong way round
      // gives roughly a negative image.
      const bytes = await make();
      const [ours, ref] = await Promise.all([decode(bytes), sharpRgb(bytes)]);
      const negative = ours.data.map((v) => 255 - v);
      expect(meanAbsDiff(ours.data, ref.data)).toBeLessThan(0.5 * meanAbsDiff(negative, ref.data));
    });
  });
});
