// The contract between the CLI and a peer module (peers/*.mjs). Each peer module exports
//   measure(ctx: PeerContext): Promise<PeerResult>
// and reports its own rows; a peer that cannot run returns an error row instead of throwing.
import { makeRow } from './row.mjs';

/**
 * @typedef {object} PeerContext
 * @property {import('./corpus.mjs').Corpus} corpus   every image, already in memory
 * @property {import('./args.mjs').BenchOptions} options
 * @property {(msg: string) => void} log               progress, to stderr
 */

/**
 * @typedef {object} PeerResult
 * @property {import('./row.mjs').Row[]} rows
 * @property {Record<string, string>} versions         library versions for the machine line
 */

/**
 * What a child-process peer (Python, sharp) gets on stdin: the exact file list, so it measures
 * the same images in the same order as the in-process peers.
 * @param {PeerContext} ctx @param {number[]} threads @param {object} [extra]
 */
export function childSpec(ctx, threads, extra = {}) {
  return { dir: ctx.corpus.dir, files: ctx.corpus.files, threads, repeat: ctx.options.repeat, ...extra };
}

/**
 * Rows from a child's JSON answer ({ rows: [{ setting, threads, images, seconds, check, ... }] }).
 * @param {string} peer @param {any[]} rows
 */
export function rowsFromChild(peer, rows) {
  return rows.map((r) => makeRow({ ...r, peer }));
}
