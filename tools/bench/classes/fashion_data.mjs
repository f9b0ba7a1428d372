// The Fashion-MNIST class folders both classes benchmarks train on, written by fashion_classes.py
// with the reference venv's python (`bash tools/reference/venv.sh`).
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { runStep } from '../lib/child.mjs';

const here = path.dirname(fileURLToPath(import.meta.url));
const root = path.resolve(here, '../../..');

/** The label order of Fashion-MNIST. */
export const CLASSES = ['t_shirt_top', 'trouser', 'pullover', 'dress', 'coat', 'sandal', 'shirt', 'sneaker', 'bag', 'ankle_boot'];

// `xfer data split` (the linear model's file lists) always shuffles a folder with seed 1337, and
// the folders' picks are drawn with it too.
export const SEED = 1337;

/**
 * Runs fashion_classes.py (`write`, `linear`) with the reference venv's python, CPU only and quiet,
 * as the xfer runs (this machine has no GPU runtime for either).
 * @returns {Promise<(args: string[], capture?: boolean) => Promise<{ stdout: string, seconds: number }>>}
 */
export async function fashionPython() {
  const python = (await runStep('bash', [path.join(root, 'tools/reference/venv.sh')], { capture: true })).stdout.trim();
  const env = { ...process.env, TF_CPP_MIN_LOG_LEVEL: '3', CUDA_VISIBLE_DEVICES: '', KERAS_BACKEND: 'tensorflow', OMP_WAIT_POLICY: process.env.OMP_WAIT_POLICY ?? 'PASSIVE' };
  return (args, capture = false) => runStep(python, [path.join(here, 'fashion_classes.py'), ...args], { env, capture });
}

/**
 * The folder of these classes at `perClass` images each under `dataRoot` ($XFER_CACHE_DIR/datasets
 * when set), written now when missing. `log` gets one progress line.
 */
export async function fashionDataset(py, dataRoot, classes, perClass, log) {
  const root = process.env.XFER_CACHE_DIR ? path.join(process.env.XFER_CACHE_DIR, 'datasets') : dataRoot;
  const dir = path.join(root, `fashion_mnist_${classes.length}cls-${classes[0]}-${perClass}pc-s${SEED}`);
  const made = await py(['write', '--classes', classes.join(','), '--per-class', String(perClass), '--seed', String(SEED), '--out', dir], true);
  log(`${made.stdout.trim()} (${made.seconds.toFixed(1)} s)`);
  return dir;
}
