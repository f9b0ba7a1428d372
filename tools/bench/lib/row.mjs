// One result row of the benchmark. All peers (in-process or child process) report raw seconds;
// the statistics are computed here only, so every row is derived the same way.

/**
 * @typedef {object} Row
 * @property {string} peer
 * @property {string} setting
 * @property {number|null} threads
 * @property {number} images
 * @property {number[]} seconds         every timed pass
 * @property {number|null} bestSeconds
 * @property {number|null} medianSeconds
 * @property {number|null} imagesPerSec  from the best pass
 * @property {number|null} msPerImage
 * @property {boolean} [baseline]       an xfer 'fast' row: the reference of the ratio column
 * @property {number|null} [ratioVsXfer] imagesPerSec / best xfer fast imagesPerSec at the same threads
 * @property {import('./check.mjs').OutputCheck} [check]
 * @property {{ setting: string, imagesPerSec: number }[]} [alternatives] settings tried and not chosen
 * @property {string} [note]
 * @property {string} [error]           the row did not run (engine missing, crash, failed check)
 */

/** The middle value; the mean of the middle two for an even count. @param {number[]} xs */
export function median(xs) {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
}

/**
 * @param {{ peer: string, setting: string, threads: number, images: number, seconds: number[],
 *           check?: import('./check.mjs').OutputCheck, baseline?: boolean,
 *           alternatives?: Row['alternatives'], note?: string }} r
 * @returns {Row}
 */
export function makeRow(r) {
  const best = Math.min(...r.seconds);
  /** @type {Row} */
  const row = {
    peer: r.peer,
    setting: r.setting,
    threads: r.threads,
    images: r.images,
    seconds: r.seconds.map((s) => Math.round(s * 1e4) / 1e4),
    bestSeconds: Math.round(best * 1e4) / 1e4,
    medianSeconds: Math.round(median(r.seconds) * 1e4) / 1e4,
    imagesPerSec: Math.round((r.images / best) * 10) / 10,
    msPerImage: Math.round(((best * 1000) / r.images) * 1000) / 1000,
  };
  if (r.baseline) row.baseline = true;
  if (r.check) row.check = r.check;
  if (r.alternatives?.length) row.alternatives = r.alternatives;
  if (r.note) row.note = r.note;
  if (r.check && !r.check.ok) row.error = `output check failed: ${r.check.problem}`;
  return row;
}

/**
 * A row for a peer that could not run at all.
 * @param {string} peer @param {string} message @param {number|null} [threads]
 * @returns {Row}
 */
export function errorRow(peer, message, threads = null) {
  return {
    peer, setting: '', threads, images: 0, seconds: [],
    bestSeconds: null, medianSeconds: null, imagesPerSec: null, msPerImage: null, error: message,
  };
}

/** First line of an error, for table cells. @param {unknown} e */
export function reason(e) {
  const msg = e instanceof Error ? e.message : String(e);
  // Node's "Cannot find module X imported from Y": the importer is always this tool, drop it
  return msg.split('\n')[0].replace(/ imported from \S+$/, '').trim();
}
