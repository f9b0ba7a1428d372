// The xfer engine (@xfer/native-preproc), the reference of the ratio column.
//
// Each kind of measurement is one case factory in CASES: (engine, threads) -> Case. To add a row
// (cold epoch with augmentation, cached epoch, decode-only limit, float32 batches from the Loader)
// write one more factory next to fastBatches and list it in CASES; timing, warm-up, output
// verification and the table come for free.
import { checkOutputs, splitBatch } from '../lib/check.mjs';
import { makeRow, errorRow, reason } from '../lib/row.mjs';
import { timeRuns } from '../lib/timing.mjs';

/**
 * @typedef {object} Case
 * @property {string} setting
 * @property {boolean} [baseline]  true for the row other peers are compared with
 * @property {number} [limit]      fewer images than the corpus (for slow cases)
 * @property {(images: Uint8Array[]) => Promise<Uint8Array[]>} run  one 150x150x3 uint8 view per image
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
        throw new Error(`${r.failures.length} failure(s) in the batch at ${i}, first: #${i + f.index} ${f.code} ${f.message}`);
      }
      if (!(r.data instanceof Uint8Array)) throw new Error('uint8 batch did not come back as a Uint8Array');
      out.push(...splitBatch(r.data, r.count));
    }
    return out;
  },
});

/** @type {Array<(engine: any, threads: number) => Case>} */
const CASES = [fastBatches(64), fastBatches(256)];

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
        const { seconds, outputs } = await timeRuns(c.run, images, ctx.options.repeat);
        rows.push(makeRow({ peer: 'xfer', setting: c.setting, threads, images: images.length, seconds,
          check: checkOutputs(outputs, images.length), baseline: c.baseline }));
      } catch (e) {
        rows.push(errorRow('xfer', `${c.setting}: ${reason(e)}`, threads));
      }
    }
  }
  const codecs = info.codecs ?? {};
  return {
    rows,
    versions: {
      xfer: `${info.version} (simd ${info.simd}, libjpeg-turbo ${codecs.libjpegTurbo}, libspng ${codecs.libspng}, ` +
        `cuda ${info.cuda?.available ? 'available' : `off${info.cuda?.reason ? `: ${info.cuda.reason}` : ''}`})`,
    },
  };
}
