// sharp peer, child side. Started once per thread count T with UV_THREADPOOL_SIZE=T: sharp runs
// each image on the libuv pool, so the pool size is the real cap on how many images decode at
// once. Inside that cap it tries sharp.concurrency(c) (libvips threads per image, c <= T) and
// 1..8 images in flight, on a subset, and times the best setting on the full set.
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import sharp from 'sharp';
import { checkOutputs } from '../lib/check.mjs';
import { mapInflight, timeRuns } from '../lib/timing.mjs';

const MAX_INFLIGHT = 8;

/** The measured job: decode + resize to 150x150 (fill, bilinear) RGB uint8. @param {Uint8Array} buf */
function decodeResize(buf) {
  return sharp(buf)
    .resize(150, 150, { fit: 'fill', kernel: 'linear' }) // shrink-on-load is on by default (DCT scaling)
    .toColourspace('srgb') // grayscale JPEGs would otherwise come out with 1 channel
    .raw()
    .toBuffer();
}

async function readStdin() {
  let s = '';
  for await (const chunk of process.stdin) s += chunk;
  return JSON.parse(s);
}

const spec = await readStdin();
const T = Number(process.env.UV_THREADPOOL_SIZE);
const buffers = await Promise.all(spec.files.map(async (/** @type {string} */ f) => new Uint8Array(await readFile(path.join(spec.dir, f)))));
sharp.cache(false); // libvips' operation cache would let repeats skip work

/** @param {number} c @param {number} k */
const runWith = (c, k) => async (/** @type {Uint8Array[]} */ imgs) => {
  sharp.concurrency(c);
  return mapInflight(imgs, k, decodeResize);
};

// Tuning sweep on a subset: best of two timed passes per setting (after its warm-up), so that
// one disturbed pass on a shared machine does not pick the setting.
const tune = buffers.slice(0, spec.tuneLimit);
/** @type {{ c: number, k: number, setting: string, imagesPerSec: number }[]} */
const tried = [];
for (const c of [1, 2].filter((c) => c <= T)) {
  for (let k = 1; k <= MAX_INFLIGHT; k++) {
    const { seconds } = await timeRuns(runWith(c, k), tune, 2);
    tried.push({ c, k, setting: `concurrency ${c}, ${k} in flight`, imagesPerSec: Math.round((tune.length / Math.min(...seconds)) * 10) / 10 });
  }
}
tried.sort((a, b) => b.imagesPerSec - a.imagesPerSec);
const best = tried[0];

const { seconds, outputs } = await timeRuns(runWith(best.c, best.k), buffers, spec.repeat);
const row = {
  setting: `concurrency ${best.c}, ${best.k} in flight (best of ${tried.length} on ${tune.length} imgs)`,
  threads: T,
  images: buffers.length,
  seconds,
  check: checkOutputs(outputs.map((b) => new Uint8Array(b.buffer, b.byteOffset, b.byteLength)), buffers.length),
  alternatives: tried.slice(1).map(({ setting, imagesPerSec }) => ({ setting, imagesPerSec })),
};
const v = sharp.versions;
const versions = { sharp: v.sharp ?? '', libvips: `${v.vips}${v.mozjpeg ? ` (mozjpeg ${v.mozjpeg})` : ''}` };
process.stdout.write(JSON.stringify({ rows: [row], versions }) + '\n');
