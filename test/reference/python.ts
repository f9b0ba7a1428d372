/** Runs the reference scripts of tools/reference/ in the venv that setup.ts made. */
import { execFile } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { inject } from 'vitest';

export const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');

/** The venv's python, or '' when setup.ts could not make it. */
export const python = inject('referencePython');
/** Why the reference tests skip: '' when the venv is there. */
export const missing = inject('referenceMissing');

/**
 * Runs `tools/reference/<script>` with the venv's python and returns its stdout. TensorFlow is kept
 * quiet and off any GPU; a failure throws with the script's stderr.
 */
export async function runReference(script: string, args: string[], threads = 2): Promise<string> {
  const env = {
    ...process.env,
    TF_CPP_MIN_LOG_LEVEL: '3',
    KERAS_BACKEND: 'tensorflow',
    CUDA_VISIBLE_DEVICES: '',
    OMP_NUM_THREADS: String(threads),
    PYTHONDONTWRITEBYTECODE: '1',
  };
  try {
    const { stdout } = await promisify(execFile)(python, [path.join(root, 'tools/reference', script), ...args], { env, maxBuffer: 64 << 20 });
    return stdout;
  } catch (e) {
    const err = e as { stderr?: string; message: string };
    throw new Error(`tools/reference/${script} failed: ${(err.stderr || err.message).trim().split('\n').slice(-8).join('\n')}`);
  }
}
