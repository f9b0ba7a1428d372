// sharp (libvips) peer: one child process per thread count, see sharp-child.mjs for why.
import { fileURLToPath } from 'node:url';
import { runJsonChild } from '../lib/child.mjs';
import { childSpec, rowsFromChild } from '../lib/peer.mjs';
import { errorRow, reason } from '../lib/row.mjs';

const CHILD = fileURLToPath(new URL('./sharp-child.mjs', import.meta.url));

/** @param {import('../lib/peer.mjs').PeerContext} ctx @returns {Promise<import('../lib/peer.mjs').PeerResult>} */
export async function measure(ctx) {
  const rows = [];
  /** @type {Record<string,string>} */
  let versions = {};
  for (const T of ctx.options.threads) {
    ctx.log(`sharp: threads ${T} (tuning concurrency and queue depth)`);
    try {
      const spec = childSpec(ctx, [T], { tuneLimit: Math.min(ctx.options.sharpTuneLimit, ctx.corpus.files.length) });
      const out = await runJsonChild(process.execPath, [CHILD], spec, {
        env: { ...process.env, UV_THREADPOOL_SIZE: String(T) },
      });
      rows.push(...rowsFromChild('sharp', out.rows));
      versions = out.versions;
    } catch (e) {
      rows.push(errorRow('sharp', `sharp failed: ${reason(e)}`, T));
    }
  }
  return { rows, versions };
}
