import { execFile } from 'node:child_process';
import { promises as fs } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import sharp from 'sharp';
import { describe, expect, it } from 'vitest';
import { augmentParams } from '@xfer/native-preproc';
import { tempDir } from './helpers.js';

const run = promisify(execFile);
const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const xfer = path.join(root, 'packages/cli/bin/xfer.js');

describe('xfer preview --augment', () => {
  it("draws what training epochs 1..9 draw for the split's first image, titled with the Loader's own draws", async () => {
    const tmp = tempDir('xfer-e2e-aug-');
    const out = path.join(tmp, 'augment.png');
    await run(process.execPath, [xfer, 'preview', '--augment', '--demo-per-class', '12', '--out', out], {
      env: { ...process.env, XFER_CACHE_DIR: path.join(tmp, 'cache') },
    });
    const meta = await sharp(out).metadata();
    expect([meta.format, meta.width, meta.height]).toEqual(['png', 490, 574]);
    const side = JSON.parse(await fs.readFile(out.replace(/\.png$/, '.json'), 'utf8'));
    expect(side.mode).toBe('augment');
    expect(side.tiles).toHaveLength(9);
    expect(new Set(side.tiles.map((t: { source: string }) => t.source)).size).toBe(1);
    side.tiles.forEach((t: { title: string }, k: number) => {
      // Training's Loader seed is the run seed (train/seeds.ts) and its epochs count from 1.
      const d = augmentParams(1337, k + 1, 0, { flip: 'horizontal', rotation: 0.1 });
      const deg = Math.round((d.angle * 180) / Math.PI);
      expect(Math.abs(d.angle)).toBeLessThanOrEqual(0.1 * 2 * Math.PI);
      expect(t.title).toContain(`${d.flipHorizontal ? 'flip ' : ''}${deg >= 0 ? '+' : ''}${deg}°`);
    });
  });
});
