/**
 * Makes (or finds) the reference venv once for the whole run and hands its python, or the reason
 * there is none, to every test file.
 */
import { execFile } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import type { TestProject } from 'vitest/node';

declare module 'vitest' {
  export interface ProvidedContext {
    /** The venv's python, or '' when there is none. */
    referencePython: string;
    /** Why there is no venv ('' when there is one). */
    referenceMissing: string;
  }
}

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');

export default async function setup(project: TestProject): Promise<void> {
  try {
    const { stdout } = await promisify(execFile)('bash', [path.join(root, 'tools/reference/venv.sh')], { maxBuffer: 1 << 20 });
    project.provide('referencePython', stdout.trim().split('\n').at(-1)!);
    project.provide('referenceMissing', '');
  } catch (e) {
    const why = ((e as { stderr?: string }).stderr || (e as Error).message).trim();
    project.provide('referencePython', '');
    project.provide('referenceMissing', `the reference venv (TensorFlow 2.21 / Keras 3.15) could not be made from the local pip index: ${why}`);
  }
}
