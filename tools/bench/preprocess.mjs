#!/usr/bin/env node
// Preprocessing throughput benchmark: images/s of decode + resize to 150x150 RGB uint8 for the
// xfer engine and its peers, in one run, as a markdown table or --json.
//
//   node tools/bench/preprocess.mjs [--corpus DIR] [--limit N] [--repeat R] [--threads 1,2]
//                                   [--peers xfer,sharp,opencv,pillow,jpegjs] [--json]
//
// Plain ESM JavaScript with JSDoc types, so it runs with `node` and no build step.
// Every file is read into memory first (child-process peers read the same list before timing),
// so disk speed is not part of any number. Peers run one after another, never side by side,
// since they would compete for the same cores.
import { parseOptions, USAGE } from './lib/args.mjs';
import { loadCorpus } from './lib/corpus.mjs';
import { machineInfo } from './lib/machine.mjs';
import { annotate, json, markdown } from './lib/report.mjs';
import { errorRow, reason } from './lib/row.mjs';

/** Peer name -> module under peers/ exporting measure(ctx). */
const PEER_MODULES = {
  xfer: './peers/xfer.mjs',
  tfdata: './peers/tfdata.mjs',
  sharp: './peers/sharp.mjs',
  opencv: './peers/opencv.mjs',
  pillow: './peers/pillow.mjs',
  jpegjs: './peers/jpegjs-tfjs.mjs',
};

async function main() {
  let options;
  try {
    options = parseOptions(process.argv.slice(2));
  } catch (e) {
    process.stderr.write(`${reason(e)}\n\n${USAGE}\n`);
    return 2;
  }
  if (options.help) {
    process.stdout.write(`${USAGE}\n`);
    return 0;
  }
  const t0 = Date.now();
  const log = (/** @type {string} */ msg) => process.stderr.write(`[bench ${((Date.now() - t0) / 1000).toFixed(1)}s] ${msg}\n`);

  let corpus;
  try {
    corpus = await loadCorpus(options.corpus, options.limit);
  } catch (e) {
    process.stderr.write(`${reason(e)}\n`);
    return 1;
  }
  log(`${corpus.files.length} images, ${(corpus.bytes / 2 ** 20).toFixed(1)} MiB in memory`);
  /** @type {import('./lib/peer.mjs').PeerContext} */
  const ctx = { corpus, options, log };

  /** @type {import('./lib/row.mjs').Row[]} */
  const rows = [];
  /** @type {Record<string, string>} */
  const versions = {};
  for (const peer of options.peers) {
    try {
      const { measure } = await import(PEER_MODULES[/** @type {keyof PEER_MODULES} */ (peer)]);
      const result = await measure(ctx);
      rows.push(...result.rows);
      Object.assign(versions, result.versions);
    } catch (e) {
      rows.push(errorRow(peer, `${peer} failed: ${reason(e)}`));
    }
  }
  log('done');

  const report = { rows: annotate(rows), machine: machineInfo(), versions, options, images: corpus.files.length };
  process.stdout.write(`${options.json ? json(report) : markdown(report)}\n`);
  return 0;
}

process.exitCode = await main();
