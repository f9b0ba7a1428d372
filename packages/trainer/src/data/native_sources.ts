import type { ByteRange, Source } from '@xfer/native-preproc';
import type { Example } from '../datasets/example.js';
import { parseZipSource, ZipArchive } from '../datasets/zip_archive.js';

/** Examples as the native decoder reads them, and those that cannot be read at all. */
export interface NativeSources {
  /** One per entry of `kept`. */
  sources: Source[];
  kept: Example[];
  failures: Array<{ source: string; reason: string }>;
}

/**
 * Where the native decoder reads each example: files by path, zip entries as byte ranges of the
 * archive (read and inflated in the native threads, without extracting). A zip entry the archive
 * refuses (a symbolic link, over the size or ratio limits) is a failure of that example alone.
 */
export async function nativeSources(examples: readonly Example[]): Promise<NativeSources> {
  const archives = new Map<string, ZipArchive>();
  const out: NativeSources = { sources: [], kept: [], failures: [] };
  try {
    for (const e of examples) {
      const z = parseZipSource(e.source);
      if (!z) {
        out.sources.push(e.source);
        out.kept.push(e);
        continue;
      }
      let zip = archives.get(z.zipPath);
      if (!zip) {
        zip = await ZipArchive.open(z.zipPath);
        archives.set(z.zipPath, zip);
      }
      try {
        out.sources.push({ ...(await zip.byteRange(z.entry)), name: e.source } satisfies ByteRange);
        out.kept.push(e);
      } catch (err) {
        out.failures.push({ source: e.source, reason: `IO: ${(err as Error).message}` });
      }
    }
    return out;
  } finally {
    for (const a of archives.values()) a.close();
  }
}
