#!/usr/bin/env node
// The loader lifecycle the leak check runs (tools/leak/loader-lifecycle.sh): create, two
// epochs, an early break out of a third, close; then the one-shot calls, each also on broken
// inputs. It exits naturally (never process.exit): node then tears down its environment and
// isolate, running every finalizer, so what is still allocated at exit was lost.
//
//   node --expose-gc tools/leak/lifecycle.mjs [--control <leak_control.node>]
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { createRequire } from 'node:module';
import { Loader, augment, decode, decodeResizeBatch } from '@xfer/native-preproc';

const corpus = process.env.XFER_BENCH_CORPUS ?? path.resolve('../shared/bench-corpus');
const entries = JSON.parse(readFileSync(path.join(corpus, 'corpus.json'), 'utf8')).slice(0, 48);
const photos = entries.map((e) => path.join(corpus, e.f));

// Broken sources walk the error paths, which allocate too.
const dir = mkdtempSync(path.join(tmpdir(), 'xfer-leak-'));
process.on('exit', () => rmSync(dir, { recursive: true, force: true })); // on a throw too
const whole = readFileSync(photos[0]);
const broken = {
  'empty.jpg': new Uint8Array(0),
  'truncated.jpg': whole.subarray(0, whole.length >> 1),
  'random.jpg': Uint8Array.from({ length: 4096 }, (_, i) => (i * 2654435761) >>> 24),
};
for (const [name, bytes] of Object.entries(broken)) writeFileSync(path.join(dir, name), bytes);
const sources = [...photos, ...Object.keys(broken).map((n) => path.join(dir, n)), path.join(dir, 'missing.jpg')];

async function lifecycle() {
  const loader = new Loader({
    sources, labels: sources.map((_, i) => i % 2), size: [150, 150], batchSize: 8, shuffle: true, seed: 1,
    augment: { flip: 'horizontal', rotation: 0.1 }, normalize: { scale: 1 / 127.5, offset: -1 }, prefetch: 4, threads: 2,
  });
  let batches = 0;
  for (const epoch of [0, 1]) {
    for await (const b of loader.epoch(epoch)) {
      batches++;
      b.release();
    }
  }
  let taken = 0;
  for await (const b of loader.epoch(2)) {
    b.release();
    if (++taken === 2) break; // early break: the prefetched batches are abandoned
  }
  const skipped = loader.stats().skipped.length;
  await loader.close();
  return { batches: batches + taken, skipped };
}

async function oneShots() {
  const image = await decode(photos[1]);
  await augment(image, { flip: true, angle: 0.3 });
  const batch = await decodeResizeBatch([...photos.slice(0, 6), ...Object.values(broken)], { size: [64, 64], threads: 2 });
  for (const bytes of Object.values(broken)) await decode(bytes).catch(() => {});
  return batch.failures.length;
}

const run = await lifecycle();
const failures = await oneShots();
console.log(`lifecycle: ${sources.length} sources, ${run.batches} batches over 2 epochs and an early break, ${run.skipped} skipped; one-shot calls: ${failures} failures`);
// Run the finalizers now, as during a long training, not only in the teardown at exit.
for (let i = 0; i < 4; i++) {
  globalThis.gc();
  await new Promise((r) => setTimeout(r, 20));
}
const control = process.argv.indexOf('--control');
if (control > 0) createRequire(import.meta.url)(path.resolve(process.argv[control + 1])).leak(4096);
