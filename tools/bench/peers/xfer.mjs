// The xfer engine (@xfer/native-preproc), the reference of the ratio column.
//
// Each kind of measurement is one case factory in CASES: (engine, threads) -> Case. To add a row
// write one more factory and list it in CASES; timing, warm-up, output verification and the table
// come for free. A case may prepare untimed state (setup), hand back raw results that are turned
// into the checked uint8 outputs after timing (finish), and clean up (teardown).
// Rows: decodeResizeBatch (the baseline), the training Loader's cold and cached epochs
// (flip + rotation + normalize to float32), and decode only, the limit the others are measured against.
import { checkOutputs, splitBatch } from '../lib/check.mjs';
import { makeRow, errorRow, reason } from '../lib/row.mjs';
import { timeRuns } from '../lib/timing.mjs';

/**
 * @typedef {object} Case
 * @property {string} setting
 * @property {boolean} [baseline]  true for the row other peers are compared with
 * @property {number} [limit]      fewer images than the corpus (for slow cases)
 * @property {string} [note]       shown next to the setting
 * @property {(images: Uint8Array[]) => Promise<any>} run  timed; returns one 150x150x3 uint8 view per image,
 *   or whatever `finish` turns into them
 * @property {(images: Uint8Array[]) => Promise<void>} [setup]  untimed, before the warm-up
 * @property {(raw: any) => Uint8Array[] | null | Promise<Uint8Array[] | null>} [finish]  untimed, after the last
 *   pass: the uint8 outputs to check, or null for a row that produces no pixels (decode only)
 * @property {() => Promise<void>} [teardown]
 * @property {() => string} [describe]  after timing: more for the row's note
 */

/**
 * Sources fed as in-memory buffers (never paths: disk is out of the measure), batch by batch,
 * one batch in flight; the engine spreads a batch over its own `threads`.
 * @param {number} batch
 * @returns {(engine: any, threads: number) => Case}
 */
const fastBatches = (batch) => (engine, threads) => ({
  setting: `fast uint8, batch ${batch}`,
  baseline: true,
  async run(images) {
    /** @type {Uint8Array[]} */
    const out = [];
    for (let i = 0; i < images.length; i += batch) {
      const sources = images.slice(i, i + batch);
      const r = await engine.decodeResizeBatch(sources, { size: [150, 150], mode: 'fast', dtype: 'uint8', threads });
      if (r.failures?.length) {
        const f = r.failures[0];
        throw new Error(`${r.failures.length} failure(s) in the batch at ${i}, first: #${i + f.index} ${f.source}: ${f.reason}`);
      }
      if (!(r.data instanceof Uint8Array)) throw new Error('uint8 batch did not come back as a Uint8Array');
      out.push(...splitBatch(r.data, r.count));
    }
    return out;
  },
});

// ---- the training Loader (Keras recipe: RandomFlip horizontal, RandomRotation 0.1, Rescaling 1/127.5 - 1)

const RECIPE = {
  size: [150, 150],
  mode: 'fast',
  batchSize: 32,
  shuffle: true,
  seed: 1,
  augment: { flip: 'horizontal', rotation: 0.1 },
  normalize: { scale: 1 / 127.5, offset: -1 },
  dtype: 'float32',
};

/**
 * One epoch (or its first `count` images), consumed as the trainer consumes it on the cpu backend:
 * each batch is a zero-copy view that is read and released. With `keep`, each batch is copied out
 * instead (untimed: the output check reruns the epoch, which is deterministic for a seed).
 * @returns {Promise<{ batches: Float32Array[], indices: Int32Array[], count: number }>}
 */
async function runEpoch(loader, epoch, count, keep = false) {
  const batches = [];
  const indices = [];
  let seen = 0;
  let touched = 0;
  for await (const b of loader.epoch(epoch)) {
    if (keep) {
      batches.push(b.data.slice());
      indices.push(b.indices);
    } else {
      touched += b.data[b.data.length - 1];
    }
    seen += b.size;
    b.release();
    if (seen >= count) break;
  }
  if (Number.isNaN(touched)) throw new Error('a batch held NaN');
  return { batches, indices, count };
}

/** Untimed: back from normalized float32 to 150x150x3 uint8 per image, in source order. */
function denormalize({ batches, indices, count }) {
  /** @type {Uint8Array[]} */
  const out = new Array(count);
  const n = 150 * 150 * 3;
  batches.forEach((data, k) => {
    indices[k].forEach((index, j) => {
      if (index >= count) return;
      const u8 = new Uint8ClampedArray(n);
      for (let i = 0; i < n; i++) u8[i] = (data[j * n + i] + 1) * 127.5;
      out[index] = new Uint8Array(u8.buffer);
    });
  });
  return out.filter(Boolean);
}

/**
 * A fresh Loader per pass: every image is read, decoded, resized, cached, then augmented. The
 * note gives where the fastest full pass spent its time (loader.stats().perStageMs).
 */
const coldEpoch = (engine, threads) => {
  /** @type {Uint8Array[]} */
  let sources = [];
  /** @type {{ ms: number, images: number, stages: Record<string, number> } | undefined} */
  let fastest;
  const open = () => new engine.Loader({ ...RECIPE, sources, labels: new Int32Array(sources.length), threads });
  return {
    setting: 'Loader cold epoch: decode+resize+flip/rot 0.1+normalize f32, batch 32',
    note: 'fresh memory-cached Loader per pass; batches consumed zero-copy and released',
    async run(images) {
      sources = images;
      const loader = open();
      try {
        const t0 = performance.now();
        const epoch = await runEpoch(loader, 0, images.length);
        const ms = performance.now() - t0;
        // The warm-up pass runs fewer images: a full pass replaces it.
        if (!fastest || images.length > fastest.images || (images.length === fastest.images && ms < fastest.ms)) {
          fastest = { ms, images: images.length, stages: loader.stats().perStageMs };
        }
        return epoch;
      } finally {
        await loader.close();
      }
    },
    describe() {
      if (!fastest) return '';
      const per1000 = (/** @type {number} */ ms) => Math.round((ms * 1000) / fastest.images);
      const { decode, resize, augment } = fastest.stages;
      return `fastest pass, ms per 1000 images summed over threads: decode ${per1000(decode)}, ` +
        `resize ${per1000(resize)}, augment ${per1000(augment)}`;
    },
    /** Untimed: the same epoch of a fresh Loader again, kept this time. */
    async finish() {
      const loader = open();
      try {
        return denormalize(await runEpoch(loader, 0, sources.length, true));
      } finally {
        await loader.close();
      }
    },
  };
};

/** Epochs 2+ of one Loader: only the fused flip/rotate/normalize pass from the uint8 cache. */
const cachedEpoch = (engine, threads) => {
  let loader;
  let epoch = 1;
  let count = 0;
  return {
    setting: 'Loader cached epoch (2nd+): flip/rot 0.1+normalize f32 from the cache, batch 32',
    note: 'batches consumed zero-copy and released',
    async setup(images) {
      count = images.length;
      loader = new engine.Loader({ ...RECIPE, sources: images, labels: new Int32Array(images.length), threads });
      await runEpoch(loader, 0, images.length); // fills the cache, untimed
    },
    run: (images) => runEpoch(loader, epoch++, images.length),
    /** Untimed: the last timed epoch again, kept this time. */
    finish: async () => denormalize(await runEpoch(loader, epoch - 1, count, true)),
    teardown: () => loader?.close(),
  };
};

/** The limit: read + DCT-scaled decode of every image, nothing else (benchDecodeOnly). */
const decodeOnly = (engine, threads) => ({
  setting: 'decode only (limit): DCT-scaled for 150x150, no resize',
  note: 'no pixels out, not output-checked',
  async run(images) {
    const r = await engine.benchDecodeOnly(images, { size: [150, 150], mode: 'fast', threads });
    if (r.images !== images.length) throw new Error(`${r.failures} of ${images.length} images failed to decode`);
    return null;
  },
  finish: () => null,
});

/** @type {Array<(engine: any, threads: number) => Case>} */
const CASES = [fastBatches(64), fastBatches(256), coldEpoch, cachedEpoch, decodeOnly];

/** @param {import('../lib/peer.mjs').PeerContext} ctx @returns {Promise<import('../lib/peer.mjs').PeerResult>} */
export async function measure(ctx) {
  let engine, info;
  try {
    engine = await import('@xfer/native-preproc');
    info = engine.info(); // loads the .node addon: fails here if only the JS half is built
  } catch (e) {
    return { rows: [errorRow('xfer', `xfer engine not built: ${reason(e)}`)], versions: {} };
  }
  const rows = [];
  for (const threads of ctx.options.threads) {
    for (const makeCase of CASES) {
      const c = makeCase(engine, threads);
      const images = ctx.corpus.buffers.slice(0, c.limit ?? Infinity);
      ctx.log(`xfer: ${c.setting}, threads ${threads}`);
      try {
        await c.setup?.(images);
        const { seconds, outputs } = await timeRuns(c.run, images, ctx.options.repeat);
        const pixels = c.finish ? await c.finish(outputs) : outputs;
        rows.push(makeRow({ peer: 'xfer', setting: c.setting, threads, images: images.length, seconds,
          check: pixels ? checkOutputs(pixels, images.length) : undefined, baseline: c.baseline,
          note: [c.note, c.describe?.()].filter(Boolean).join('; ') }));
      } catch (e) {
        rows.push(errorRow('xfer', `${c.setting}: ${reason(e)}`, threads));
      } finally {
        await c.teardown?.();
      }
    }
  }
  const codecs = info.codecs ?? {};
  return {
    rows,
    versions: {
      xfer: `${info.version} (simd ${info.simd}, kernels ${info.kernels}, libjpeg-turbo ${codecs.libjpegTurbo}, libspng ${codecs.libspng}, ` +
        `cuda ${info.cuda?.available ? 'available' : `off${info.cuda?.reason ? `: ${info.cuda.reason}` : ''}`})`,
    },
  };
}
