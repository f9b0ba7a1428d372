import { execFile } from 'node:child_process';
import { promises as fs } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { miniXception, pickBackend, writeKerasH5 } from '@xfer/trainer';
import { tempDir } from './helpers.js';

const run = promisify(execFile);
const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const xfer = path.join(root, 'packages/cli/bin/xfer.js');

describe('the two-phase recipe from pretrained Keras weights', () => {
  it('trains the head on a frozen base, then fine-tunes the unfrozen base', async () => {
    const tmp = tempDir('xfer-e2e-recipe-');
    await pickBackend('cpu');
    const weights = path.join(tmp, 'mini_pretrained.h5');
    await writeKerasH5(miniXception({ inputShape: [150, 150, 3] }), weights);
    const { stdout } = await run(
      process.execPath,
      [xfer, 'train', '--demo-per-class', '16', '--weights', weights, '--epochs', '1', '--fine-tune-epochs', '1', '--batch-size', '8', '--out', path.join(tmp, 'runs')],
      { env: { ...process.env, XFER_CACHE_DIR: path.join(tmp, 'cache') }, cwd: tmp, maxBuffer: 16 << 20 },
    );
    expect(stdout).toContain(`weights: ${weights}`);
    // The head alone is trainable first: Dense(192 -> 1) = 193 parameters.
    expect(stdout).toMatch(/^phase frozen: 1 epochs, learning rate 0\.001, 193 trainable parameters$/m);
    const fineTune = /^phase fine-tune: 1 epochs, learning rate 0\.0001, ([\d,]+) trainable parameters$/m.exec(stdout);
    expect(fineTune).not.toBeNull();
    expect(Number(fineTune![1]!.replace(/,/g, ''))).toBeGreaterThan(193);
    const [runDir] = await fs.readdir(path.join(tmp, 'runs'));
    const metrics = (await fs.readFile(path.join(tmp, 'runs', runDir!, 'metrics.jsonl'), 'utf8')).trim().split('\n').map((l) => JSON.parse(l));
    expect(metrics.map((m) => m.phase)).toEqual(['frozen', 'fine-tune']);
  });

  it('xfer summary prints the recipe model with Keras\' exact counts', async () => {
    const { stdout } = await run(process.execPath, [xfer, 'summary', '--model', 'xception', '--image-size', '150']);
    expect(stdout).toMatch(/^xception \(Functional\)\s+\(None, 5, 5, 2048\)\s+20,861,480$/m);
    expect(stdout).toMatch(/^Total params: 20,863,529\nTrainable params: 2,049\nNon-trainable params: 20,861,480$/m);
    // N classes: a Dense(N) head of 2048·N + N parameters, as Keras' Dense(5) on the 2048 pooled features.
    const five = (await run(process.execPath, [xfer, 'summary', '--model', 'xception', '--classes', '5'])).stdout;
    expect(five).toMatch(/^Total params: 20,871,725\nTrainable params: 10,245\nNon-trainable params: 20,861,480$/m);
  });
});
