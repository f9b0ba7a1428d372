import { promises as fs } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { xferCacheDir } from '../fs/cache_dir.js';

/** The archive TFDS builds cats_vs_dogs from, and what is known of it. */
export const CATS_VS_DOGS = {
  url: 'https://download.microsoft.com/download/3/E/1/3E1C3F21-ECDB-4869-8368-6DEBA77B919F/kagglecatsanddogs_5340.zip',
  fileName: 'kagglecatsanddogs_5340.zip',
  /** The older archive TFDS lists, with its checked size and hash; the current one's are not published. */
  known: { 'kagglecatsanddogs_3367a.zip': { size: 824_894_548, sha256: 'f9553e426bd725354ed3a27e3c6920caadb55c835d1ebd880d2e56d3f1fbb22b' } } as Record<string, { size: number; sha256: string }>,
} as const;

/** Where xfer keeps downloaded datasets: `$XFER_CACHE_DIR/datasets` (default ~/.cache/xfer/datasets). */
export function datasetsDir(): string {
  return path.join(xferCacheDir(), 'datasets');
}

/** The folders searched for the archive or its extracted PetImages/, in order. */
export function catsVsDogsSearchDirs(): string[] {
  return [datasetsDir(), path.join(os.homedir(), 'tensorflow_datasets', 'downloads'), path.join(os.homedir(), 'tensorflow_datasets', 'downloads', 'extracted')];
}

/**
 * Finds cats_vs_dogs on this machine: a `kagglecatsanddogs_*.zip` (TFDS keeps it in its downloads
 * folder under a longer name ending the same way) or an extracted `PetImages/` folder. Returns
 * null when there is none.
 */
export async function locateCatsVsDogs(dirs = catsVsDogsSearchDirs()): Promise<string | null> {
  for (const dir of dirs) {
    const names = await fs.readdir(dir).catch(() => [] as string[]);
    const zip = names.filter((n) => /kagglecatsanddogs_[^/]*\.zip$/.test(n)).sort()[0];
    if (zip) return path.join(dir, zip);
    if (names.includes('PetImages')) return dir;
  }
  return null;
}

/** The error for a missing dataset, with the command and the folder that fix it. */
export function catsVsDogsMissing(): Error {
  return new Error(
    `cats_vs_dogs was not found in ${catsVsDogsSearchDirs().join(', ')}. ` +
      `Download it with \`xfer data download cats_vs_dogs\`, or put ${CATS_VS_DOGS.fileName} (or its extracted PetImages/ folder) in ${datasetsDir()}.`,
  );
}
