#!/usr/bin/env node
// Writes the fuzzers' seed corpora (never committed): a few dozen small files
// from the bench corpus, and every broken-file kind the decoder must refuse.
//
//   node tools/fuzz/seeds.mjs <out-dir>   -> <out-dir>/{decode,decode_resize,augment}/
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';

const require = createRequire(path.resolve('packages/native-preproc/package.json'));
const sharp = require('sharp');

const out = process.argv[2];
if (!out) throw new Error('usage: seeds.mjs <out-dir>');
const corpusDir = process.env.XFER_BENCH_CORPUS ?? path.resolve('../shared/bench-corpus');

// Deterministic bytes, so two runs write the same seeds.
function pseudoRandom(n, seed) {
  let s = seed >>> 0;
  const b = new Uint8Array(n);
  for (let i = 0; i < n; i++) {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    b[i] = s >>> 24;
  }
  return b;
}

/** Small corpus photos: the smallest files of each kind (baseline, progressive, grayscale). */
function corpusPicks() {
  const all = JSON.parse(readFileSync(path.join(corpusDir, 'corpus.json'), 'utf8'));
  const bySize = [...all].sort((a, b) => a.bytes - b.bytes);
  const pick = (pred, n) => bySize.filter(pred).slice(0, n);
  return [...pick((e) => !e.prog && !e.gray, 12), ...pick((e) => e.prog, 8), ...pick((e) => e.gray, 6)].map((e) =>
    readFileSync(path.join(corpusDir, e.f)),
  );
}

/** The same frame header with other dimensions (SOF0/1/2 only; the picks are all one of those). */
function withJpegDims(jpeg, width, height) {
  const b = Uint8Array.from(jpeg);
  for (let pos = 2; pos + 9 < b.length; ) {
    const marker = b[pos + 1];
    if (marker >= 0xc0 && marker <= 0xc2) {
      b.set([height >> 8, height & 0xff, width >> 8, width & 0xff], pos + 5);
      return b;
    }
    pos += 2 + ((b[pos + 2] << 8) | b[pos + 3]);
  }
  throw new Error('no SOF0-2 marker');
}

async function brokenKinds(photo) {
  const img = () => sharp(photo).resize(48, 32);
  const jpeg = await img().jpeg().toBuffer();
  const png = await img().png().toBuffer();
  return {
    'empty.jpg': new Uint8Array(0),
    'truncated-half.jpg': jpeg.subarray(0, jpeg.length >> 1),
    'truncated-header.jpg': jpeg.subarray(0, 40),
    'truncated.png': png.subarray(0, png.length >> 1),
    'random.jpg': pseudoRandom(2048, 7),
    'random-soi.jpg': Uint8Array.from([0xff, 0xd8, 0xff, ...pseudoRandom(1024, 11)]),
    'gif-named.jpg': await img().gif().toBuffer(),
    'png-named.jpg': png,
    'huge-header.jpg': withJpegDims(jpeg, 60000, 60000),
    '1x1.jpg': await sharp(photo).resize(1, 1).jpeg().toBuffer(),
    '1x1.png': await sharp(photo).resize(1, 1).png().toBuffer(),
    'cmyk.jpg': await img().toColourspace('cmyk').jpeg().toBuffer(),
    '16bit.png': await img().toColourspace('rgb16').png().toBuffer(),
    'rgba.png': await img().ensureAlpha().png().toBuffer(),
    'gray-alpha.png': await img().toColourspace('b-w').ensureAlpha().png().toBuffer(),
    'palette.png': await img().png({ palette: true, colours: 16 }).toBuffer(),
    'interlaced.png': await img().png({ progressive: true }).toBuffer(),
    'progressive.jpg': await img().jpeg({ progressive: true }).toBuffer(),
    'q95-444.jpg': await img().jpeg({ chromaSubsampling: '4:4:4', quality: 95 }).toBuffer(),
  };
}

function write(dir, name, bytes) {
  mkdirSync(dir, { recursive: true });
  writeFileSync(path.join(dir, name), bytes);
}

rmSync(out, { recursive: true, force: true });
const photos = corpusPicks();
const encoded = [...photos.map((b, i) => [`corpus-${i}.jpg`, b]), ...Object.entries(await brokenKinds(photos[0]))];
for (const [name, bytes] of encoded) {
  write(path.join(out, 'decode'), name, bytes);
  // decode_resize reads its parameters from the last bytes: append some.
  write(path.join(out, 'decode_resize'), name, Buffer.concat([bytes, pseudoRandom(8, bytes.length)]));
}
for (let i = 0; i < 8; i++) {
  const [w, h] = [1 + i * 9, 1 + ((i * 13) % 40)];
  const pixels = await sharp(photos[i]).resize(w, h, { fit: 'fill' }).raw().toBuffer();
  write(path.join(out, 'augment'), `pixels-${w}x${h}.bin`, Buffer.concat([pixels, pseudoRandom(40, i)]));
}
console.log(`fuzz seeds: ${encoded.length} encoded files, 8 pixel buffers -> ${out}`);
