import { promises as fs } from 'node:fs';
import path from 'node:path';
import { fileSource, type DatasetListing, type Example } from './example.js';
import { NumpyRandomState } from './numpy_random.js';

/** The extensions Keras' image_dataset_from_directory accepts (case-insensitive). */
export const IMAGE_EXTENSIONS: readonly string[] = ['.bmp', '.gif', '.jpeg', '.jpg', '.png'];

/** Options of {@link readImageFolder}, with Keras' names and defaults. */
export interface ImageFolderOptions {
  /** Class order; must name exactly the subfolders. Default: the sorted subfolder names. */
  classNames?: string[];
  /** Follow symbolic links to folders while listing (default false). */
  followLinks?: boolean;
  /** Shuffle the file list (default true, as Keras). */
  shuffle?: boolean;
  /** Shuffle seed; required with validationSplit when shuffling, as in Keras. */
  seed?: number;
  /** Fraction of the files held out for validation, in (0, 1). */
  validationSplit?: number;
  /** Which side of validationSplit to return. */
  subset?: 'training' | 'validation';
}

async function listImages(dir: string, followLinks: boolean, out: string[]): Promise<void> {
  const entries = (await fs.readdir(dir, { withFileTypes: true })).sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  const subdirs: string[] = [];
  for (const e of entries) {
    if (e.name.startsWith('.')) continue;
    const full = path.join(dir, e.name);
    let isDir = e.isDirectory();
    let isFile = e.isFile();
    if (e.isSymbolicLink()) {
      if (!followLinks) continue;
      const st = await fs.stat(full).catch(() => null);
      isDir = st?.isDirectory() ?? false;
      isFile = st?.isFile() ?? false;
    }
    if (isDir) subdirs.push(full);
    else if (isFile && IMAGE_EXTENSIONS.includes(path.extname(e.name).toLowerCase())) out.push(full);
  }
  for (const d of subdirs) await listImages(d, followLinks, out);
}

/**
 * One class per subfolder, as Keras' `image_dataset_from_directory(labels='inferred')`: labels are
 * indices into the sorted subfolder names, files are listed recursively in sorted order, hidden
 * files and folders are ignored, and `shuffle` with `seed` reorders them exactly as Keras does
 * (numpy's RandomState), so `validationSplit` + `subset` select the same files.
 */
export async function readImageFolder(dir: string, options: ImageFolderOptions = {}): Promise<DatasetListing> {
  const root = path.resolve(dir);
  const st = await fs.stat(root).catch(() => null);
  if (!st?.isDirectory()) throw new Error(`${root}: not a folder (expected one subfolder of images per class)`);
  const subdirs = (await fs.readdir(root, { withFileTypes: true }))
    .filter((e) => !e.name.startsWith('.') && (e.isDirectory() || (options.followLinks === true && e.isSymbolicLink())))
    .map((e) => e.name)
    .sort();
  let classNames = subdirs;
  if (options.classNames) {
    const given = [...options.classNames].sort();
    if (given.length !== subdirs.length || given.some((c, i) => c !== subdirs[i])) {
      throw new Error(`${root}: classNames [${options.classNames.join(', ')}] do not match the subfolders [${subdirs.join(', ')}]`);
    }
    classNames = [...options.classNames];
  }
  if (classNames.length === 0) throw new Error(`${root}: no class subfolders (expected <class>/<image> files, e.g. cat/1.jpg)`);
  const examples: Example[] = [];
  for (const [label, name] of classNames.entries()) {
    const files: string[] = [];
    await listImages(path.join(root, name), options.followLinks ?? false, files);
    if (files.length === 0) {
      throw new Error(`${path.join(root, name)}: class '${name}' has no images (allowed: ${IMAGE_EXTENSIONS.join(', ')})`);
    }
    for (const f of files) examples.push({ source: fileSource(f), label });
  }
  const split = options.validationSplit;
  if (split !== undefined && !(split > 0 && split < 1)) throw new RangeError(`validationSplit must be in (0, 1), got ${split}`);
  if ((split === undefined) !== (options.subset === undefined)) {
    throw new Error('validationSplit and subset go together: give both or neither');
  }
  if (options.shuffle ?? true) {
    if (options.seed === undefined && split !== undefined) {
      throw new Error('a seed is required with validationSplit when shuffling, so that the two subsets do not overlap');
    }
    new NumpyRandomState(options.seed ?? Math.floor(Math.random() * 1e6)).shuffle(examples);
  }
  let chosen = examples;
  if (split !== undefined) {
    const train = examples.length - Math.floor(split * examples.length);
    chosen = options.subset === 'training' ? examples.slice(0, train) : examples.slice(train);
  }
  return { classNames, examples: chosen, skipped: [] };
}
