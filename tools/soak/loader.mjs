#!/usr/bin/env node
// Soak test of the native Loader (a script, not a unit test): N cached epochs over the demo set with
// the recipe's augmentation, reporting RSS and the thread count after each epoch. Passes when RSS
// stays within 5% of its epoch-2 value and the thread count never changes.
//
//   node tools/soak/loader.mjs [--epochs 200] [--per-class 600] [--threads N]
import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { Loader } from '@xfer/native-preproc';
import { ensureDemoData, readPetImages, sourceName } from '@xfer/trainer';

const { values } = parseArgs({ options: { epochs: { type: 'string', default: '200' }, 'per-class': { type: 'string', default: '600' }, threads: { type: 'string' } } });
const epochs = Number(values.epochs);

function threadCount() {
  const m = /^Threads:\s+(\d+)/m.exec(readFileSync('/proc/self/status', 'utf8'));
  return m ? Number(m[1]) : NaN;
}

const demo = await ensureDemoData({ perClass: Number(values['per-class']) });
const listing = await readPetImages(demo.root);
const loader = new Loader({
  sources: listing.examples.map((e) => sourceName(e.source)),
  labels: listing.examples.map((e) => e.label),
  size: [150, 150], batchSize: 32, shuffle: true, seed: 1,
  augment: { flip: 'horizontal', rotation: 0.1 }, normalize: { scale: 1 / 127.5, offset: -1 },
  prefetch: 10, threads: values.threads ? Number(values.threads) : undefined,
});
const rows = [];
const started = performance.now();
for (let e = 0; e < epochs; e++) {
  let images = 0;
  for await (const b of loader.epoch(e)) {
    images += b.size;
    b.release();
  }
  rows.push({ epoch: e + 1, images, rssMiB: process.memoryUsage().rss / 2 ** 20, threads: threadCount() });
}
const seconds = (performance.now() - started) / 1000;
const s = loader.stats();
await loader.close();
const base = rows[1];
const worst = rows.slice(1).reduce((m, r) => Math.max(m, r.rssMiB / base.rssMiB - 1), 0);
const threadSet = new Set(rows.map((r) => r.threads));
for (const r of rows.filter((r, i) => i < 3 || (i + 1) % 20 === 0)) {
  console.log(`epoch ${String(r.epoch).padStart(4)}  images ${r.images}  rss ${r.rssMiB.toFixed(1)} MiB  threads ${r.threads}`);
}
console.log(`${epochs} epochs in ${seconds.toFixed(1)} s (${((rows.length * rows[0].images) / seconds).toFixed(0)} img/s); decoded ${s.decoded} images in all; cache ${(s.cacheBytes / 2 ** 20).toFixed(1)} MiB`);
console.log(`RSS growth after epoch 2: max ${(worst * 100).toFixed(2)}% (limit 5%); thread counts seen: ${[...threadSet].join(', ')}`);
const ok = worst < 0.05 && threadSet.size === 1;
console.log(ok ? 'soak: pass' : 'soak: FAIL');
process.exitCode = ok ? 0 : 1;
