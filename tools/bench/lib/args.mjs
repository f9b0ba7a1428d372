// Command-line options of the preprocessing benchmark.
// node:util parseArgs keeps the tool dependency-free (no commander needed for a dev script).
import { execFileSync } from 'node:child_process';
import { parseArgs } from 'node:util';
import { fileURLToPath } from 'node:url';
import path from 'node:path';

/** Repository root: tools/bench/lib -> ../../.. */
export const REPO_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');

export const ALL_PEERS = ['xfer', 'tfdata', 'sharp', 'opencv', 'pillow', 'jpegjs'];

/**
 * The python of the reference venv (TensorFlow, Keras, PyTorch; tools/reference/venv.sh) when it
 * has been made, else null. Only checked, never made here: making it takes a minute and a pip index.
 * @returns {string|null}
 */
export function referencePython() {
  try {
    return execFileSync('bash', [path.join(REPO_ROOT, 'tools/reference/venv.sh'), '--check'],
      { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim();
  } catch {
    return null;
  }
}

export const USAGE = `Usage: node tools/bench/preprocess.mjs [options]

Decode + resize JPEGs to 150x150 RGB uint8 (fill, bilinear) with several engines, all bytes in memory.

  --corpus DIR          JPEG folder (default <repo>/../shared/bench-corpus)
  --limit N             use the first N images (default: all)
  --repeat R            timed repeats per row; the best is reported (default 1)
  --threads 1,2         thread counts to measure (default 1,2)
  --peers LIST          any of ${ALL_PEERS.join(',')} (default: all)
  --jpegjs-limit N      cap for the slow pure-JS peer (default 200)
  --sharp-tune-limit N  images used to pick sharp's best concurrency setting (default 200)
  --python PATH         interpreter with cv2 and PIL (default $BENCH_PYTHON or /usr/bin/python3)
  --reference-python PATH
                        interpreter with TensorFlow and Keras, for tfdata (default: the python of
                        the venv that bash tools/reference/venv.sh makes, when it has been made)
  --json                print one JSON object instead of the markdown table
  -h, --help            this text`;

/**
 * @typedef {object} BenchOptions
 * @property {string} corpus
 * @property {number} limit       Infinity when not given
 * @property {number} repeat
 * @property {number[]} threads
 * @property {string[]} peers
 * @property {number} jpegjsLimit
 * @property {number} sharpTuneLimit
 * @property {string} python
 * @property {string|null} referencePython  null: no reference venv and no --reference-python
 * @property {boolean} json
 * @property {boolean} help
 */

/** @param {string} name @param {string|undefined} v @param {number} dflt */
function positiveInt(name, v, dflt) {
  if (v === undefined) return dflt;
  const n = Number(v);
  if (!Number.isInteger(n) || n < 1) throw new Error(`--${name} needs a positive integer, got "${v}"`);
  return n;
}

/** @param {string[]} argv @returns {BenchOptions} */
export function parseOptions(argv) {
  const { values } = parseArgs({
    args: argv,
    strict: true,
    options: {
      corpus: { type: 'string' },
      limit: { type: 'string' },
      repeat: { type: 'string' },
      threads: { type: 'string' },
      peers: { type: 'string' },
      'jpegjs-limit': { type: 'string' },
      'sharp-tune-limit': { type: 'string' },
      python: { type: 'string' },
      'reference-python': { type: 'string' },
      json: { type: 'boolean', default: false },
      help: { type: 'boolean', short: 'h', default: false },
    },
  });
  const threads = (values.threads ?? '1,2').split(',').map((t) => positiveInt('threads', t.trim(), 1));
  const peers = (values.peers ?? ALL_PEERS.join(',')).split(',').map((p) => p.trim()).filter(Boolean);
  for (const p of peers) {
    if (!ALL_PEERS.includes(p)) throw new Error(`unknown peer "${p}" (known: ${ALL_PEERS.join(', ')})`);
  }
  return {
    corpus: path.resolve(values.corpus ?? path.join(REPO_ROOT, '..', 'shared', 'bench-corpus')),
    limit: positiveInt('limit', values.limit, Infinity),
    repeat: positiveInt('repeat', values.repeat, 1),
    threads: [...new Set(threads)].sort((a, b) => a - b),
    peers,
    jpegjsLimit: positiveInt('jpegjs-limit', values['jpegjs-limit'], 200),
    sharpTuneLimit: positiveInt('sharp-tune-limit', values['sharp-tune-limit'], 200),
    python: values.python ?? process.env.BENCH_PYTHON ?? '/usr/bin/python3',
    referencePython: values['reference-python'] ?? referencePython(),
    json: values.json ?? false,
    help: values.help ?? false,
  };
}
