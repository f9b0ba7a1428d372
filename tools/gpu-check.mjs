#!/usr/bin/env node
// The GPU check of @xfer/native-preproc's CUDA path; run through tools/gpu-check.sh, which builds
// first (XFER_NATIVE_BUILD_DIR selects the build). Prints markdown tables:
//   1. parity: GPU against CPU output on the bench corpus, max abs diff per fill mode and
//      interpolation, (a) through the Loader (the kernel on the cached uint8 images) and
//      (b) the kernel resizing the full-size decoded images itself (fusedBatch) against the CPU
//      path (decodeResizeBatch 'exact' + augment);
//   2. Loader images/s on 'cpu' and 'cuda', batch 32 and 256, 150x150 and 224x224: the cold
//      epoch (decode-bound) and the best warm (cached) epoch, where only augment + normalize run;
//   3. H2D bandwidth from the pinned stage against plain cudaMemcpy from pinned and pageable memory;
//   4. the kernel against a device-to-device copy of the same bytes (the memory-bound floor).
// Without a usable CUDA device it prints "no CUDA device: <reason>" and exits 0.
//
//   node tools/gpu-check.mjs [--limit N] [--corpus DIR] [--command "text for the README line"]
//
// Plain ESM JavaScript with JSDoc types, so it runs with `node` and no build step of its own.
import { existsSync, readFileSync } from 'node:fs';
import os from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const dist = join(root, 'packages/native-preproc/dist');
const NORMALIZE = { scale: 1 / 127.5, offset: -1 };
const FILLS = /** @type {const} */ (['reflect', 'wrap', 'constant', 'nearest']);
const INTERPOLATIONS = /** @type {const} */ (['bilinear', 'nearest']);

/** @param {string[]} argv */
function parseArgs(argv) {
  const o = { limit: Infinity, command: 'node tools/gpu-check.mjs', corpus: resolve(root, '../shared/bench-corpus') };
  for (let i = 0; i < argv.length; i++) {
    if (argv[i] === '--limit') o.limit = Number(argv[++i]);
    else if (argv[i] === '--command') o.command = String(argv[++i]);
    else if (argv[i] === '--corpus') o.corpus = resolve(String(argv[++i]));
    else throw new Error(`unknown argument ${argv[i]}; usage: node tools/gpu-check.mjs [--limit N] [--corpus DIR] [--command TEXT]`);
  }
  if (!(o.limit >= 1)) throw new Error('--limit must be a positive number');
  return o;
}

/** @param {ArrayLike<number>} a @param {ArrayLike<number>} b */
function maxAbsDiff(a, b) {
  if (a.length !== b.length) throw new Error(`length mismatch ${a.length} vs ${b.length}`);
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i] - b[i]));
  return m;
}

/** @param {string[]} header @param {(string | number)[][]} rows */
function table(header, rows) {
  const line = (/** @type {(string|number)[]} */ r) => `| ${r.join(' | ')} |`;
  return [line(header), line(header.map(() => '---')), ...rows.map(line)].join('\n');
}

const gbps = (/** @type {number} */ bytes, /** @type {number} */ ms) => (bytes / 1e6 / ms).toFixed(1);

async function main() {
  const args = parseArgs(process.argv.slice(2));
  const lib = await import(pathToFileURL(join(dist, 'index.js')).href);
  const { loadBinding } = await import(pathToFileURL(join(dist, 'binding.js')).href);
  const cuda = lib.info().cuda;
  if (!cuda.available) {
    console.log(`no CUDA device: ${cuda.reason}`);
    return 0;
  }
  const binding = loadBinding();
  const t0 = Date.now();
  const log = (/** @type {string} */ m) => process.stderr.write(`[gpu-check ${((Date.now() - t0) / 1000).toFixed(1)}s] ${m}\n`);

  const corpusDir = args.corpus;
  if (!existsSync(join(corpusDir, 'corpus.json'))) throw new Error(`bench corpus not found at ${corpusDir}`);
  /** @type {{ f: string }[]} */
  const entries = JSON.parse(readFileSync(join(corpusDir, 'corpus.json'), 'utf8')).slice(0, args.limit);
  // In memory, so disk speed is in no number.
  const sources = entries.map((e) => new Uint8Array(readFileSync(join(corpusDir, e.f))));
  const labels = sources.map((_, i) => i % 2);
  const device = cuda.devices[0];
  const out = [];
  out.push(`GPU check, ${new Date().toISOString().slice(0, 10)}: ${device.name} (sm ${device.computeCapability}, ` +
    `${(device.memoryBytes / 2 ** 30).toFixed(0)} GiB), ${os.cpus().length} CPU threads (${os.cpus()[0]?.model ?? '?'}), ` +
    `${sources.length} corpus images. Command: \`${args.command}\``);

  /** @param {Record<string, unknown>} extra */
  const loaderOptions = (extra) => ({
    sources, labels, size: [150, 150], batchSize: 256, shuffle: true, seed: 5,
    augment: { flip: 'horizontal', rotation: 0.1 }, normalize: NORMALIZE, ...extra,
  });

  /** One epoch's batches, copied (the slots are reused). @param {any} loader @param {number} epoch */
  async function epochData(loader, epoch) {
    const batches = [];
    for await (const b of loader.epoch(epoch)) {
      batches.push(Float32Array.from(b.data));
      b.release();
    }
    return batches;
  }

  // ---- 1a. parity through the Loader
  log('parity through the Loader');
  const parityRows = [];
  for (const fill of FILLS) {
    /** @type {string[]} */
    const row = [fill];
    for (const interpolation of INTERPOLATIONS) {
      const augment = { flip: 'horizontal', rotation: 0.1, fill, interpolation };
      const cpu = new lib.Loader(loaderOptions({ augment, device: 'cpu' }));
      const gpu = new lib.Loader(loaderOptions({ augment, device: 'cuda' }));
      try {
        const [c, g] = [await epochData(cpu, 0), await epochData(gpu, 0)];
        if (c.length !== g.length) throw new Error(`batch count ${c.length} (cpu) vs ${g.length} (cuda)`);
        row.push(Math.max(...c.map((b, i) => maxAbsDiff(b, g[i]))).toExponential(1));
      } finally {
        await Promise.all([cpu.close(), gpu.close()]);
      }
    }
    parityRows.push(row);
  }

  // ---- 1b. the kernel resizing decoded images itself, against the CPU path
  const resizeCount = Math.min(sources.length, 256);
  log(`parity of the on-GPU resize, ${resizeCount} full-size decodes`);
  const decoded = [];
  for (const s of sources.slice(0, resizeCount)) decoded.push(await lib.decode(s));
  const total = decoded.reduce((n, d) => n + d.data.length, 0);
  const packed = new Uint8Array(total);
  const desc = new Float64Array(resizeCount * 6);
  const draws = decoded.map((_, i) => lib.augmentParams(5, 0, i, { flip: 'horizontal', rotation: 0.1 }));
  let at = 0;
  decoded.forEach((d, i) => {
    packed.set(d.data, at);
    desc.set([at, d.width, d.height, draws[i].flipHorizontal ? 1 : 0, 0, draws[i].angle], i * 6);
    at += d.data.length;
  });
  const resized = await lib.decodeResizeBatch(sources.slice(0, resizeCount), { size: [150, 150], mode: 'exact' });
  const px = 150 * 150 * 3;
  const resizeRows = [];
  for (const fill of FILLS) {
    /** @type {string[]} */
    const row = [fill];
    for (const interpolation of INTERPOLATIONS) {
      const r = await binding.fusedBatch(packed, desc, {
        device: 'cuda', width: 150, height: 150, fill, fillValue: 0, interpolation, ...NORMALIZE, dtype: 'float32', repeats: 1,
      });
      const gpu = new Float32Array(r.data);
      let m = 0;
      for (let i = 0; i < resizeCount; i++) {
        const img = { data: resized.data.subarray(i * px, (i + 1) * px), width: 150, height: 150, channels: 3 };
        const cpu = await lib.augment(img, { ...draws[i], fill, interpolation, normalize: NORMALIZE, dtype: 'float32' });
        m = Math.max(m, maxAbsDiff(gpu.subarray(i * px, (i + 1) * px), cpu.data));
      }
      row.push(m.toExponential(1));
    }
    resizeRows.push(row);
  }
  out.push('### GPU vs CPU output (max abs diff, normalized to [-1, 1])');
  out.push(`Through the Loader (${sources.length} images, 150x150, flip + RandomRotation(0.1), epoch 0):`);
  out.push(table(['fill', ...INTERPOLATIONS], parityRows));
  out.push(`The kernel resizing ${resizeCount} full-size decodes itself, against decodeResizeBatch('exact') + augment:`);
  out.push(table(['fill', ...INTERPOLATIONS], resizeRows));

  // ---- 2. Loader timings
  const timingRows = [];
  for (const size of [150, 224]) {
    for (const batchSize of [32, 256]) {
      const row = [`${size}x${size}`, batchSize];
      for (const dev of ['cpu', 'cuda']) {
        log(`timing ${dev}, ${size}x${size}, batch ${batchSize}`);
        const loader = new lib.Loader(loaderOptions({ size: [size, size], batchSize, device: dev }));
        try {
          let t = performance.now();
          await epochData(loader, 0);
          const cold = sources.length / ((performance.now() - t) / 1000);
          let warm = 0;
          for (const epoch of [1, 2, 3]) {
            t = performance.now();
            for await (const b of loader.epoch(epoch)) b.release();
            warm = Math.max(warm, sources.length / ((performance.now() - t) / 1000));
          }
          const s = loader.stats();
          const batches = 4 * Math.ceil(sources.length / batchSize);
          row.push(cold.toFixed(0), warm.toFixed(0));
          if (dev === 'cuda') row.push((s.perStageMs.gpu / batches).toFixed(2));
        } finally {
          await loader.close();
        }
      }
      timingRows.push(row);
    }
  }
  out.push(`### Loader images/s (${os.cpus().length} threads, flip + RandomRotation(0.1) + normalize to float32, cache 'memory')`);
  out.push('cold = epoch 0 (read, decode, resize, cache); warm = best of epochs 1-3 (augment + normalize only).');
  out.push(table(['size', 'batch', 'cpu cold', 'cpu warm', 'cuda cold', 'cuda warm', 'cuda GPU ms/batch'], timingRows));

  // ---- 3 + 4. copies and the kernel against plain cudaMemcpy
  const copyRows = [];
  const kernelRows = [];
  for (const [size, batchSize] of [[150, 32], [224, 256]]) {
    log(`copies and kernel, ${size}x${size}, batch ${batchSize}`);
    const n = Math.min(batchSize, sources.length);
    const r = await lib.decodeResizeBatch(sources.slice(0, n), { size: [size, size] });
    const bytes = size * size * 3;
    const d = new Float64Array(n * 6);
    for (let i = 0; i < n; i++) d.set([i * bytes, size, size, i % 2, 0, 0.3], i * 6);
    const run = await binding.fusedBatch(r.data, d, {
      device: 'cuda', width: size, height: size, fill: 'reflect', fillValue: 0, interpolation: 'bilinear', ...NORMALIZE, dtype: 'float32', repeats: 10,
    });
    const inBytes = run.timing.inputBytes;
    const outBytes = n * bytes * 4;
    const copy = binding.cudaCopyBench({ h2dBytes: inBytes, d2dBytes: outBytes, repeats: 10 });
    copyRows.push([`${size}x${size} x ${n}`, (inBytes / 1e6).toFixed(1), gbps(inBytes, run.timing.h2dMs),
      gbps(inBytes, copy.pinnedH2dMs), gbps(inBytes, copy.pageableH2dMs), gbps(outBytes, run.timing.d2hMs)]);
    kernelRows.push([`${size}x${size} x ${n}`, run.timing.kernelMs.toFixed(3), gbps(inBytes + outBytes, run.timing.kernelMs),
      copy.d2dMs.toFixed(3), gbps(2 * outBytes, copy.d2dMs)]);
  }
  out.push('### H2D: the pinned stage against plain cudaMemcpy of the same bytes (GB/s, best of 10)');
  out.push(table(['batch', 'MB in', 'stage H2D (pinned ring)', 'cudaMemcpy pinned', 'cudaMemcpy pageable', 'stage D2H (float32 batch)'], copyRows));
  out.push('### Kernel (flip + rotate 0.3 rad + normalize, cached uint8 in, float32 out) against a D2D copy of the output bytes');
  out.push('GB/s counts bytes read + written: kernel = uint8 in + float32 out; copy = 2 x float32 out.');
  out.push(table(['batch', 'kernel ms', 'kernel GB/s', 'D2D copy ms', 'D2D GB/s'], kernelRows));

  console.log(out.join('\n\n'));
  log('done');
  return 0;
}

main().then(
  (code) => process.exit(code),
  (e) => {
    process.stderr.write(`gpu-check failed: ${e instanceof Error ? e.stack ?? e.message : String(e)}\n`);
    process.exit(1);
  },
);
