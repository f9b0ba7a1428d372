import { promises as fs } from 'node:fs';
import path from 'node:path';
import { afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import * as tfl from '@tensorflow/tfjs-layers';
import { pickBackend } from '../../src/backend/pick_backend.js';
import { loadModel, saveModel } from '../../src/weights/file_io.js';
import { tempDir } from '../helpers.js';

function dense(seed: number): tfl.LayersModel {
  return tfl.sequential({ layers: [tfl.layers.dense({ units: 3, inputShape: [4], kernelInitializer: tfl.initializers.randomNormal({ seed }) })] });
}

async function kernel(model: tfl.LayersModel): Promise<number[]> {
  return Array.from(await model.getWeights()[0]!.data());
}

function enospc(syscall: string): NodeJS.ErrnoException {
  return Object.assign(new Error(`ENOSPC: no space left on device, ${syscall}`), { code: 'ENOSPC', syscall });
}

beforeAll(async () => {
  await pickBackend('cpu');
});

afterEach(() => {
  vi.restoreAllMocks();
});

describe('saveModel never leaves a half-written model', () => {
  it('replaces a model whole, leaving nothing else beside it', async () => {
    const parent = tempDir('xfer-save-');
    const dir = path.join(parent, 'model');
    await saveModel(dense(1), dir);
    const second = dense(2);
    await saveModel(second, dir);
    expect(await kernel(await loadModel(dir))).toEqual(await kernel(second));
    expect(await fs.readdir(parent)).toEqual(['model']);
    expect((await fs.readdir(dir)).sort()).toEqual(['model.json', 'weights.bin']);
  });

  it('a disk that fills up mid-save keeps the previous model loadable and removes the partial one', async () => {
    const parent = tempDir('xfer-save-');
    const dir = path.join(parent, 'model');
    const first = dense(1);
    await saveModel(first, dir);
    const expected = await kernel(first);

    // The second file of the save (model.json, after weights.bin) hits ENOSPC.
    const open = fs.open.bind(fs);
    vi.spyOn(fs, 'open').mockImplementation(async (file, flags, mode) => {
      if (String(file).endsWith('model.json') && flags === 'wx') throw enospc('open');
      return open(file, flags, mode);
    });
    await expect(saveModel(dense(2), dir)).rejects.toThrow(/ENOSPC/);
    vi.restoreAllMocks();

    expect(await kernel(await loadModel(dir))).toEqual(expected);
    expect(await fs.readdir(parent)).toEqual(['model']);
  });

  it('what a killed save left behind is cleared by the next save of that model, and only that model', async () => {
    const parent = tempDir('xfer-save-');
    const stale = path.join(parent, '.model.partial-Ab12Cd');
    const other = path.join(parent, '.other.partial-Ab12Cd');
    for (const d of [stale, other]) {
      await fs.mkdir(d);
      await fs.writeFile(path.join(d, 'weights.bin'), new Uint8Array(10));
    }
    await saveModel(dense(3), path.join(parent, 'model'));
    expect((await fs.readdir(parent)).sort()).toEqual(['.other.partial-Ab12Cd', 'model']);
  });

  it('a model directory takes its name only once both of its files are complete', async () => {
    const parent = tempDir('xfer-save-');
    const dir = path.join(parent, 'model');
    await saveModel(dense(4), dir);
    const arriving: string[][] = [];
    const rename = fs.rename.bind(fs);
    vi.spyOn(fs, 'rename').mockImplementation(async (from, to) => {
      if (to === dir) arriving.push((await fs.readdir(String(from))).sort());
      return rename(from, to);
    });
    await saveModel(dense(5), dir);
    expect(arriving).toEqual([['model.json', 'weights.bin']]);
  });
});
