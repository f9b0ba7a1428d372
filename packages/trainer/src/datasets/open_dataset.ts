import { existsSync, promises as fs } from 'node:fs';
import path from 'node:path';
import { catsVsDogsMissing, locateCatsVsDogs } from './cats_vs_dogs.js';
import { ensureDemoData } from './demo.js';
import type { DemoOptions } from './demo_set.js';
import type { DatasetListing } from './example.js';
import { readImageFolder, type ImageFolderOptions } from './image_folder.js';
import { readPetImages } from './pet_images.js';
import { readPetImagesZip } from './pet_images_zip.js';

/** How a `--data` value was read. */
export type DatasetKind = 'demo' | 'cats_vs_dogs-zip' | 'cats_vs_dogs-folder' | 'image-folder';

export interface OpenedDataset extends DatasetListing {
  kind: DatasetKind;
  /** The file or folder read. */
  location: string;
}

export interface OpenDatasetOptions {
  demo?: DemoOptions;
  folder?: ImageFolderOptions;
  onInfo?: (line: string) => void;
  /** Progress of the scan that reads each file's first bytes (the JFIF filter). */
  onScanProgress?: (done: number, total: number) => void;
}

const noSuchSource = (abs: string) => `${abs}: no such file or folder (--data takes demo, cats_vs_dogs, a .zip, or a folder)`;

/**
 * Why a `--data` value names nothing on disk, or undefined: what openDataset would refuse first,
 * asked before any work. 'demo' and 'cats_vs_dogs' are not paths; they are found or made later.
 */
export function missingDataSource(spec: string): string | undefined {
  if (spec === 'demo' || spec === 'cats_vs_dogs') return undefined;
  const abs = path.resolve(spec);
  return existsSync(abs) ? undefined : noSuchSource(abs);
}

/**
 * Opens a dataset named the way the CLI's `--data` takes it: `demo` (generated on first use),
 * `cats_vs_dogs` (found in the data folders), a `kagglecatsanddogs_*.zip`, a folder holding
 * `PetImages/`, or any folder with one subfolder of images per class (shuffled as Keras does, seed
 * 1337 unless options.folder says otherwise, so that split strings mix the classes).
 */
export async function openDataset(spec: string, options: OpenDatasetOptions = {}): Promise<OpenedDataset> {
  if (spec === 'demo') {
    const demo = await ensureDemoData(options.demo);
    options.onInfo?.(`${demo.created ? 'created' : 'using'} demo data at ${demo.root}`);
    return { ...(await readPetImages(demo.root, { onProgress: options.onScanProgress })), kind: 'demo', location: demo.root };
  }
  let location = spec;
  if (spec === 'cats_vs_dogs') {
    const found = await locateCatsVsDogs();
    if (!found) throw catsVsDogsMissing();
    location = found;
  }
  const abs = path.resolve(location);
  const st = await fs.stat(abs).catch(() => null);
  if (!st) throw new Error(noSuchSource(abs));
  if (st.isFile()) {
    if (!abs.endsWith('.zip')) throw new Error(`${abs}: expected a .zip archive or a folder`);
    return { ...(await readPetImagesZip(abs, options.onScanProgress)), kind: 'cats_vs_dogs-zip', location: abs };
  }
  const hasPetImages = path.basename(abs) === 'PetImages' || (await fs.stat(path.join(abs, 'PetImages')).catch(() => null))?.isDirectory();
  if (hasPetImages) return { ...(await readPetImages(abs, { onProgress: options.onScanProgress })), kind: 'cats_vs_dogs-folder', location: abs };
  return { ...(await readImageFolder(abs, { seed: 1337, ...options.folder })), kind: 'image-folder', location: abs };
}
