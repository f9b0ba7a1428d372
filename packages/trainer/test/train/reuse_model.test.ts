import { promises as fs } from 'node:fs';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import type * as tfl from '@tensorflow/tfjs-layers';
import { pickBackend } from '../../src/backend/pick_backend.js';
import { DatasetError } from '../../src/errors.js';
import { miniXception } from '../../src/models/mini_xception.js';
import { transferModel } from '../../src/models/transfer_model.js';
import { isTrainedModel, reuseTrainedModel } from '../../src/train/reuse_model.js';
import { saveModel } from '../../src/weights/file_io.js';
import { tempDir } from '../helpers.js';

const widths = { entry: [4, 8] as [number, number], blocks: [8], exit: [8, 8] as [number, number] };
const build = (units: number, seed: number, w = widths) => {
  const base = miniXception({ inputShape: [32, 32, 3], widths: w, seed });
  return { base, model: transferModel(base, { units, seed: seed + 1 }) };
};
const values = (m: tfl.LayersModel | tfl.layers.Layer) => m.getWeights().map((w) => Array.from(w.dataSync()));

/** An earlier run's model/ folder, as `xfer train` leaves it. */
async function earlierRun(classNames: string[]): Promise<{ dir: string; model: tfl.LayersModel; base: tfl.LayersModel }> {
  const dir = tempDir('xfer-reuse-');
  const earlier = build(classNames.length === 2 ? 1 : classNames.length, 10);
  await saveModel(earlier.model, path.join(dir, 'model'));
  await fs.writeFile(path.join(dir, 'model', 'preprocessing.json'), JSON.stringify({ classNames, inputSize: [32, 32] }));
  return { dir, ...earlier };
}

describe('--weights <an earlier run>', () => {
  beforeAll(async () => {
    await pickBackend('cpu');
  });

  it('takes the base and, for the same classes, the classifier', async () => {
    const earlier = await earlierRun(['a', 'b', 'c']);
    expect(await isTrainedModel(earlier.dir)).toBe(true);
    const next = build(3, 20);
    expect(values(next.model)).not.toEqual(values(earlier.model));
    const line = await reuseTrainedModel(next.model, next.base, earlier.dir, ['a', 'b', 'c']);
    expect(line).toMatch(/and its classifier \(the same classes\)/);
    expect(values(next.model)).toEqual(values(earlier.model));
  });

  it('takes only the base for other classes, and says so', async () => {
    const earlier = await earlierRun(['a', 'b', 'c']);
    const next = build(1, 20);
    const headBefore = values(next.model.getLayer('dense'));
    const line = await reuseTrainedModel(next.model, next.base, path.join(earlier.dir, 'model'), ['cat', 'dog']);
    expect(line).toMatch(/with a new classifier \(it was trained on 3 classes \[a, b, c\], this data has 2\)/);
    expect(values(next.base)).toEqual(values(earlier.base));
    expect(values(next.model.getLayer('dense'))).toEqual(headBefore);
  });

  it('refuses a base of another shape, naming both', async () => {
    const earlier = await earlierRun(['a', 'b']);
    const other = build(1, 20, { entry: [4, 8], blocks: [8, 8], exit: [8, 8] });
    const err = await reuseTrainedModel(other.model, other.base, earlier.dir, ['a', 'b']).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(DatasetError);
    expect((err as Error).message).toMatch(/its base \(mini_xception\S*, \d+ weights\) is not this run's mini_xception\S* \(\d+ weights\)/);
  });
});
