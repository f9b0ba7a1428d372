import { spawn } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { tempDir } from './helpers.js';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const xfer = path.join(root, 'packages/cli/bin/xfer.js');

const quote = (s: string) => `'${s.replace(/'/g, `'\\''`)}'`;

/** Runs a command line in a pseudo-terminal with util-linux `script`, and returns what the terminal received. */
function inPty(commandLine: string, env: NodeJS.ProcessEnv): Promise<{ code: number | null; output: string }> {
  return new Promise((resolve, reject) => {
    // -q: no banner; -e: the command's exit code; -c: the command; /dev/null: no typescript file.
    const child = spawn('script', ['-q', '-e', '-c', commandLine, '/dev/null'], { env, stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    child.stdout.on('data', (d) => (output += d));
    child.stderr.on('data', (d) => (output += d));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, output }));
  });
}

describe('xfer train on a terminal', () => {
  it('redraws the batch progress line in place, then prints the epoch line', async () => {
    const tmp = tempDir('xfer-e2e-tty-');
    const env: NodeJS.ProcessEnv = { ...process.env, XFER_CACHE_DIR: path.join(tmp, 'cache'), TERM: 'xterm' };
    delete env.CI; // train draws live progress only on a TTY outside CI
    const args = ['train', '--epochs', '1', '--fine-tune-epochs', '0', '--demo-per-class', '12', '--batch-size', '2', '--out', path.join(tmp, 'runs')];
    const { code, output } = await inPty([process.execPath, xfer, ...args].map(quote).join(' '), env);
    expect(code, output).toBe(0);
    // Each batch redraws the same line: carriage return, erase line, "epoch 1 [====    ] n/m".
    const redraws = [...output.matchAll(/\r\x1b\[2Kepoch 1 \[(=*)( *)\] (\d+)\/(\d+) - loss /g)];
    expect(redraws.length).toBeGreaterThanOrEqual(3);
    const total = Number(redraws[0]![4]);
    expect(redraws.map((m) => Number(m[3]))).toEqual(Array.from({ length: total }, (_, i) => i + 1));
    for (const m of redraws) expect(m[1]!.length + m[2]!.length).toBe(24);
    expect(redraws[redraws.length - 1]![2]).toBe('');
    // None of the redraws ends its line: the live line stays on one terminal row. Then come the
    // warnings for images the loader skipped this epoch, each on its own line, and the epoch line.
    const first = redraws[0]!.index!;
    const last = redraws[redraws.length - 1]!.index!;
    expect(output.slice(first, last)).not.toMatch(/\n/);
    const final = output.search(/epoch 1\/1 \(frozen\) - .* val_acc \d\.\d{4}\r?\n/);
    expect(final).toBeGreaterThan(last);
    for (const line of output.slice(last, final).split('\n').slice(1, -1)) expect(line).toMatch(/^(\r\x1b\[2K)?warning: skipped /);
  });
});
