/**
 * A whole-set check: every image a dataset lists, decoded by the native engine exactly as training
 * would decode it, with the files that fail and why; and a quarantine that moves them out of the
 * user's folder, never deleting anything.
 */
import { constants, promises as fs, statSync } from 'node:fs';
import path from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import type { DecodeErrorCode } from '@xfer/native-preproc';
import { SplitLoader } from '../data/split_loader.js';
import type { DatasetListing, SkippedImage } from './example.js';

/** Every reason code a decode failure can have, in the order reports list them. */
export const DECODE_ERROR_CODES: readonly DecodeErrorCode[] = ['TRUNCATED', 'CORRUPT', 'EMPTY', 'UNSUPPORTED_FORMAT', 'TOO_LARGE', 'IO'];

/**
 * The size images are resized to while checked. Any size decodes the whole file: 'fast' mode's DCT
 * scaling still entropy-decodes every scan, and a file cut short is told by a marker walk that does
 * not depend on the mode, so a small size only keeps the resize and the batches cheap.
 */
const CHECK_SIZE: [number, number] = [32, 32];
const CHECK_BATCH = 64;

export interface CheckImagesOptions {
  /** Native decode threads; default all cores. */
  threads?: number;
  /** After each batch: how many of the listed images were read so far, decoded or not. */
  onProgress?: (done: number, total: number) => void;
}

/** What {@link checkImages} found. */
export interface ImageCheck {
  /** Images the dataset lists: what training would read. */
  listed: number;
  /** Those the native engine decoded. */
  decoded: number;
  /** Those it could not decode, sorted by source; each reason is `CODE: message`. */
  broken: SkippedImage[];
  /** Files the dataset's own rules left out before any decode (e.g. cats_vs_dogs' JFIF filter). */
  skippedByRules: SkippedImage[];
  /** Broken images per reason code; every code of {@link DECODE_ERROR_CODES} is present. */
  counts: Record<DecodeErrorCode, number>;
}

/** A file {@link quarantine} moved. */
export interface MovedFile {
  from: string;
  to: string;
}

/**
 * Decodes every listed image through a SplitLoader (no cache, no shuffle, no augmentation), on all
 * threads unless told otherwise, and reports those the engine leaves out. Reads files only.
 */
export async function checkImages(listing: Pick<DatasetListing, 'examples' | 'skipped'>, options: CheckImagesOptions = {}): Promise<ImageCheck> {
  const total = listing.examples.length;
  const broken: SkippedImage[] = [];
  let decoded = 0;
  // No backend was picked for a check (it runs no model); the batches' tensors would otherwise make
  // tfjs print its "running in Node.js" banner on the default backend's first use.
  const prod = tf.env().getBool('PROD');
  tf.env().set('PROD', true);
  const loader = new SplitLoader(listing.examples, { size: CHECK_SIZE, batchSize: CHECK_BATCH, threads: options.threads, cache: 'none', onSkip: (s) => broken.push(s) });
  try {
    for await (const b of loader.epoch(0)) {
      decoded += b.size;
      tf.dispose([b.x, b.y]);
      b.release();
      // Unshuffled, a batch's last index says how far the epoch went, failures included.
      options.onProgress?.(b.indices[b.size - 1]! + 1, total);
    }
  } finally {
    await loader.close();
    tf.env().set('PROD', prod);
  }
  // When the last images all failed, no batch reported them.
  options.onProgress?.(total, total);
  broken.sort((a, b) => (a.source < b.source ? -1 : a.source > b.source ? 1 : 0));
  const counts = Object.fromEntries(DECODE_ERROR_CODES.map((c) => [c, 0])) as Record<DecodeErrorCode, number>;
  for (const b of broken) counts[b.reason.slice(0, b.reason.indexOf(':')) as DecodeErrorCode]++;
  return { listed: total, decoded, broken, skippedByRules: [...listing.skipped], counts };
}

function isInside(child: string, parent: string): boolean {
  const rel = path.relative(parent, child);
  return rel !== '..' && !rel.startsWith(`..${path.sep}`) && !path.isAbsolute(rel);
}

/**
 * Why files of the dataset named `spec` (as openDataset takes it) cannot be quarantined under
 * `dir`, or undefined when they can. Asked before any work; it reads no more than one stat.
 */
export function quarantineRefusal(spec: string, dir: string): string | undefined {
  if (spec === 'demo') {
    return "the demo set is generated and cached by xfer, not files of yours: there is nothing to quarantine (its broken files are there on purpose)";
  }
  if (spec === 'cats_vs_dogs') {
    return "'cats_vs_dogs' names the copy xfer found in its data folders, whose TFDS splits are defined over all of its files; to quarantine files of it anyway, give its folder path";
  }
  const root = path.resolve(spec);
  if (statSync(root, { throwIfNoEntry: false })?.isFile()) {
    return `${root} is an archive, read in place and never rewritten: extract it and check the folder to quarantine files`;
  }
  const target = path.resolve(dir);
  if (isInside(target, root)) return `${target} is inside the dataset folder ${root}, where it would be listed with the images: choose a folder outside it`;
  return undefined;
}

async function moveFile(from: string, to: string): Promise<void> {
  try {
    await fs.rename(from, to);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== 'EXDEV') throw e;
    // rename cannot cross file systems; EXCL keeps the never-overwrite promise if `to` appeared since the check.
    await fs.copyFile(from, to, constants.COPYFILE_EXCL);
    await fs.unlink(from);
  }
}

/**
 * Moves `files` (paths under the dataset folder `root`) into `dir`, each at its path relative to
 * `root`, creating folders as needed; rename, or copy then unlink across file systems. Nothing is
 * deleted and nothing is overwritten: when any destination exists, it throws naming it before
 * moving a single file.
 */
export async function quarantine(files: readonly SkippedImage[], root: string, dir: string): Promise<MovedFile[]> {
  const base = path.resolve(root);
  const moves = files.map((f): MovedFile => {
    const from = path.resolve(f.source);
    if (!isInside(from, base)) throw new Error(`${f.source} is not inside the dataset folder ${base}: it cannot keep its relative path`);
    return { from, to: path.join(path.resolve(dir), path.relative(base, from)) };
  });
  for (const m of moves) {
    if (await fs.lstat(m.to).catch(() => null)) throw new Error(`${m.to} already exists: quarantine never overwrites; move it away or choose another folder (nothing was moved)`);
  }
  const moved: MovedFile[] = [];
  for (const m of moves) {
    await fs.mkdir(path.dirname(m.to), { recursive: true });
    await moveFile(m.from, m.to).catch((e: Error) => {
      throw new Error(`could not move ${m.from} to ${m.to}: ${e.message} (${moved.length} file(s) were moved before it)`);
    });
    moved.push(m);
  }
  return moved;
}
