import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { onTestFinished } from 'vitest';

const execFileP = promisify(execFile);

/** A new directory under the OS temp dir for the current test, removed when the test ends, pass or fail. */
export function tempDir(prefix: string): string {
  const dir = mkdtempSync(path.join(os.tmpdir(), prefix));
  onTestFinished(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

/** The built CLI, as `npm test` builds it before the e2e tests. */
export const XFER_BIN = path.join(path.dirname(fileURLToPath(import.meta.url)), '../../packages/cli/bin/xfer.js');

/** What a CLI run printed, and its exit code. */
export interface CliRun {
  code: number;
  stdout: string;
  stderr: string;
}

/** Runs the built CLI as a user runs it; a non-zero exit comes back as its code, not as a throw. */
export async function runXfer(args: readonly string[], options: { cwd: string; env: NodeJS.ProcessEnv }): Promise<CliRun> {
  try {
    const r = await execFileP(process.execPath, [XFER_BIN, ...args], { ...options, maxBuffer: 16 << 20 });
    return { code: 0, stdout: r.stdout, stderr: r.stderr };
  } catch (e) {
    const err = e as { code?: number; stdout?: string; stderr?: string };
    if (typeof err.code !== 'number') throw e;
    return { code: err.code, stdout: err.stdout ?? '', stderr: err.stderr ?? '' };
  }
}
