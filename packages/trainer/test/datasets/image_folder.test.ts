import { promises as fs } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fileSource, sourceName } from '../../src/datasets/example.js';
import { readImageFolder } from '../../src/datasets/image_folder.js';
import { NumpyRandomState } from '../../src/datasets/numpy_random.js';
import { tempDir } from '../helpers.js';

async function touch(file: string): Promise<void> {
  await fs.mkdir(path.dirname(file), { recursive: true });
  await fs.writeFile(file, 'x');
}

describe('folder-per-class, as image_dataset_from_directory', () => {
  let root: string;
  const expected = [
    // class order is the sorted folder names; files sorted, then nested folders
    ['bird/0.png', 0], ['bird/9.jpeg', 0],
    ['cat/A.JPG', 1], ['cat/b.bmp', 1], ['cat/c.gif', 1], ['cat/nested/z.jpg', 1],
    ['dog/1.jpg', 2], ['dog/2.jpg', 2], ['dog/3.jpg', 2], ['dog/4.jpg', 2],
  ] as const;

  beforeAll(async () => {
    root = await fs.mkdtemp(path.join(os.tmpdir(), 'xfer-folder-'));
    for (const [f] of expected) await touch(path.join(root, f));
    for (const f of ['cat/.DS_Store', 'cat/readme.txt', 'cat/.hidden/x.jpg', '.git/y.jpg', 'notes.jpg']) await touch(path.join(root, f));
    await fs.symlink(path.join(root, 'dog'), path.join(root, 'cat', 'linked'));
  });
  afterAll(() => fs.rm(root, { recursive: true, force: true }));

  it('infers classes from sorted folders and lists images in Keras order, unshuffled', async () => {
    const l = await readImageFolder(root, { shuffle: false });
    expect(l.classNames).toEqual(['bird', 'cat', 'dog']);
    expect(l.examples.map((e) => [path.relative(root, sourceName(e.source)), e.label])).toEqual(expected.map(([f, c]) => [f, c]));
  });

  it('follows links only when asked', async () => {
    const l = await readImageFolder(root, { shuffle: false, followLinks: true });
    expect(l.examples.filter((e) => sourceName(e.source).includes(`${path.sep}linked${path.sep}`))).toHaveLength(4);
  });

  it('shuffles with the seed as numpy does, and splits training/validation without overlap', async () => {
    const all = await readImageFolder(root, { shuffle: false });
    const shuffled = await readImageFolder(root, { seed: 7 });
    expect(shuffled.examples).toEqual(new NumpyRandomState(7).shuffle([...all.examples]));
    const train = await readImageFolder(root, { seed: 7, validationSplit: 0.25, subset: 'training' });
    const val = await readImageFolder(root, { seed: 7, validationSplit: 0.25, subset: 'validation' });
    expect(val.examples).toHaveLength(2); // int(0.25 * 10)
    expect(train.examples).toHaveLength(8);
    expect([...train.examples, ...val.examples]).toEqual(shuffled.examples);
  });

  it('takes explicit class names in their order, and refuses names that do not match the folders', async () => {
    const l = await readImageFolder(root, { shuffle: false, classNames: ['dog', 'cat', 'bird'] });
    expect(l.examples[0]).toEqual({ source: fileSource(path.join(root, 'dog/1.jpg')), label: 0 });
    await expect(readImageFolder(root, { classNames: ['cat', 'dog'] })).rejects.toThrow(/classNames \[cat, dog\] do not match the subfolders \[bird, cat, dog\]/);
  });

  it('says clearly what is wrong', async () => {
    const empty = tempDir('xfer-empty-');
    await expect(readImageFolder(empty)).rejects.toThrow(/no class subfolders/);
    await fs.mkdir(path.join(empty, 'cat'));
    await touch(path.join(empty, 'cat', 'a.txt'));
    await expect(readImageFolder(empty)).rejects.toThrow(/class 'cat' has no images \(allowed: \.bmp, \.gif, \.jpeg, \.jpg, \.png\)/);
    await expect(readImageFolder(root, { validationSplit: 0.2, subset: 'training' })).rejects.toThrow(/a seed is required/);
    await expect(readImageFolder(path.join(root, 'nope'))).rejects.toThrow(/not a folder/);
  });
});
