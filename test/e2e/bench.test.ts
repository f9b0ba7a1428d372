import { execFile } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';

const run = promisify(execFile);
const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const xfer = path.join(root, 'packages/cli/bin/xfer.js');

describe('xfer bench preprocess', () => {
  it('runs the benchmark and reports checked xfer rows as JSON', async () => {
    const { stdout } = await run(process.execPath, [xfer, 'bench', 'preprocess', '--peers', 'xfer', '--limit', '20', '--threads', '1', '--json'], { maxBuffer: 16 << 20 });
    const r = JSON.parse(stdout) as {
      images: number;
      rows: Array<{ peer: string; setting: string; imagesPerSec: number; note?: string; check?: { ok?: boolean } }>;
    };
    expect(r.images).toBe(20);
    const xferRows = r.rows.filter((row) => row.peer === 'xfer');
    expect(xferRows.length).toBeGreaterThanOrEqual(3);
    for (const row of xferRows) expect(row.imagesPerSec).toBeGreaterThan(0);
    // The cold epoch says where its time went, from the Loader's own per-stage counters.
    const cold = xferRows.find((row) => row.setting.startsWith('Loader cold epoch'));
    const stages = cold?.note?.match(/decode (\d+), resize (\d+), augment (\d+)/);
    expect(stages, cold?.note).toBeTruthy();
    for (const ms of stages!.slice(1)) expect(Number(ms)).toBeGreaterThan(0);
  }, 120_000);
});
