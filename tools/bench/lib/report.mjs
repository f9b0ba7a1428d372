// Turns the rows into the two outputs: a markdown table for people, one JSON object for tools.
import { ALL_PEERS } from './args.mjs';

/** First-image means further apart than this (0..255 scale) mean a peer computes something else. */
const MEAN_TOLERANCE = 10;

/**
 * Cross-peer pixel sanity, then the ratio column.
 * A row whose first output's mean is far from the other peers' median computes something else
 * (black image, wrong plane, garbage): it is marked failed and is never used as the reference.
 * Ratio = images/s of the row / images/s of the best xfer 'fast' row at the same thread count.
 * @param {import('./row.mjs').Row[]} rows
 */
export function annotate(rows) {
  // one vote per peer (not per row), so a peer with many rows cannot outvote the others
  /** @type {Map<string, number>} */
  const perPeer = new Map();
  for (const r of rows) {
    if (r.check?.ok && typeof r.check.firstMean === 'number' && !perPeer.has(r.peer)) perPeer.set(r.peer, r.check.firstMean);
  }
  const means = [...perPeer.values()].sort((a, b) => a - b);
  if (means.length >= 3) {
    const mid = means[means.length >> 1];
    for (const r of rows) {
      const m = r.check?.firstMean;
      if (!r.error && r.check?.ok && typeof m === 'number' && Math.abs(m - mid) > MEAN_TOLERANCE) {
        r.error = `output check failed: first image mean ${m}, the peers' median is ${mid}`;
      }
    }
  }
  for (const row of rows) {
    const refs = rows.filter((r) => r.baseline && !r.error && r.threads === row.threads && r.imagesPerSec);
    const ref = Math.max(0, ...refs.map((r) => /** @type {number} */ (r.imagesPerSec)));
    row.ratioVsXfer = ref && row.imagesPerSec && !row.error ? Math.round((row.imagesPerSec / ref) * 100) / 100 : null;
  }
  return rows;
}

/** @param {import('./row.mjs').Row[]} rows */
function sorted(rows) {
  const order = (/** @type {import('./row.mjs').Row} */ r) => [r.error && !r.threads ? 1 : 0, r.threads ?? 0, ALL_PEERS.indexOf(r.peer)];
  return [...rows].sort((a, b) => {
    const x = order(a), y = order(b);
    return x[0] - y[0] || x[1] - y[1] || x[2] - y[2];
  });
}

/** @param {number|null|undefined} v @param {number} digits */
const num = (v, digits) => (v == null ? '—' : v.toFixed(digits));

/**
 * @param {{ rows: import('./row.mjs').Row[], machine: ReturnType<typeof import('./machine.mjs').machineInfo>,
 *           versions: Record<string,string>, options: import('./args.mjs').BenchOptions, images: number }} report
 */
export function markdown({ rows, machine, versions, options, images }) {
  const lines = [
    `Decode + resize to 150x150 RGB uint8 (fill, bilinear), ${images} JPEGs from ${options.corpus}, all bytes in memory.`,
    '',
    '| peer | setting | threads | images | images/s | ms/image | vs xfer fast |',
    '|---|---|--:|--:|--:|--:|--:|',
  ];
  for (const r of sorted(rows)) {
    const setting = [r.setting, r.note && `_(${r.note})_`, r.error && `**${r.error}**`].filter(Boolean).join(' ');
    lines.push(`| ${r.peer} | ${setting.replaceAll('|', '\\|')} | ${r.threads ?? '—'} | ${r.images || '—'} | ` +
      `${num(r.imagesPerSec, 0)} | ${num(r.msPerImage, 2)} | ${r.ratioVsXfer == null ? '—' : `${r.ratioVsXfer.toFixed(2)}x`} |`);
  }
  const checked = rows.filter((r) => r.check?.ok);
  lines.push(
    '',
    `images/s: best of ${options.repeat} timed pass(es) after an untimed warm-up. ` +
      'vs xfer fast: images/s ÷ the best xfer "fast uint8" row at the same threads (below 1 = slower than xfer).',
    `Outputs verified (count and 150x150x3 uint8 per image) for ${checked.length}/${rows.filter((r) => r.check).length} rows; ` +
      `first-image mean: ${checked.map((r) => `${r.peer}/${r.threads} ${r.check?.firstMean}`).join(', ') || '—'}.`,
    `Machine: ${machine.cpu}, ${machine.cores} cores, ${machine.memoryGiB} GiB, ${machine.os}, Node ${machine.node}, ` +
      `libjpeg-turbo ${machine.libjpegTurbo} (pkg-config).`,
    `Libraries: ${Object.entries(versions).map(([k, v]) => `${k} ${v}`).join(' · ') || '—'}.`,
  );
  return lines.join('\n');
}

/** @param {Parameters<typeof markdown>[0]} report */
export function json({ rows, machine, versions, options, images }) {
  return JSON.stringify({
    job: { task: 'decode + resize', size: [150, 150], fit: 'fill', filter: 'bilinear', dtype: 'uint8', channels: 3 },
    corpus: options.corpus,
    images,
    options: { repeat: options.repeat, threads: options.threads, peers: options.peers,
      jpegjsLimit: options.jpegjsLimit, sharpTuneLimit: options.sharpTuneLimit },
    machine,
    versions,
    rows: sorted(rows),
  }, null, 2);
}
