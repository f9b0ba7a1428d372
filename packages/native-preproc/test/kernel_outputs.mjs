// Prints, as JSON, which kernels ran (info().kernels) and a digest of each
// output of a fixed set of resizes and rotations. kernels.test.ts runs it
// under each XFER_KERNELS cap and compares the runs.
//   node test/kernel_outputs.mjs <image file>...
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';

import { augment, decodeResizeBatch, info } from '../dist/index.js';

/** @param {ArrayBufferView} view */
const digest = (view) =>
  createHash('sha256').update(new Uint8Array(view.buffer, view.byteOffset, view.byteLength)).digest('hex').slice(0, 16);

/** Noise over a gradient, from a seed. */
function image(width, height, seed) {
  const data = new Uint8Array(width * height * 3);
  let s = seed >>> 0;
  for (let i = 0; i < data.length; i++) {
    s = (Math.imul(s, 1103515245) + 12345) >>> 0;
    data[i] = ((s >>> 16) & 127) + ((i / 3) % width) * (128 / width);
  }
  return { data, width, height, channels: 3 };
}

const digests = [];
const files = process.argv.slice(2).map((f) => readFileSync(f));
for (const mode of ['fast', 'exact']) {
  for (const dtype of ['uint8', 'float32']) {
    for (const size of [[150, 150], [224, 224], [33, 17]]) {
      const r = await decodeResizeBatch(files, { size, mode, dtype, threads: 1 });
      digests.push(digest(r.data));
    }
  }
}
for (const [width, height] of [[150, 150], [151, 149], [2, 2], [2, 9], [7, 5], [64, 3]]) {
  const img = image(width, height, width * 1000 + height);
  for (const fill of ['reflect', 'wrap', 'constant', 'nearest']) {
    for (const angle of [0.3, -0.62, 2.5, 40]) {
      for (const flips of [0, 1, 2, 3]) {
        const r = await augment(img, {
          angle,
          fill,
          fillValue: fill === 'constant' ? 17.25 : 0,
          flipHorizontal: (flips & 1) !== 0,
          flipVertical: (flips & 2) !== 0,
          normalize: { scale: 1 / 127.5, offset: -1 },
          dtype: 'float32',
        });
        digests.push(digest(r.data));
      }
    }
  }
}
process.stdout.write(JSON.stringify({ kernels: info().kernels, digests }));
