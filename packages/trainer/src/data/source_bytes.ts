import { parseZipSource, ZipArchive } from '../datasets/zip_archive.js';

/** What the native decoder takes for one source, or why the source could not be read. */
export type ResolvedSource = { input: string | Uint8Array } | { error: string };

/**
 * Turns example sources into what the native decoder takes: file paths stay paths (read in the
 * native threads), zip entries become their bytes. Archives stay open until close().
 */
export class SourceResolver {
  private readonly archives = new Map<string, Promise<ZipArchive>>();

  async resolve(sources: readonly string[]): Promise<ResolvedSource[]> {
    return Promise.all(
      sources.map(async (s): Promise<ResolvedSource> => {
        const z = parseZipSource(s);
        if (!z) return { input: s };
        let archive = this.archives.get(z.zipPath);
        if (!archive) {
          archive = ZipArchive.open(z.zipPath);
          this.archives.set(z.zipPath, archive);
        }
        try {
          return { input: await (await archive).read(z.entry) };
        } catch (e) {
          return { error: (e as Error).message };
        }
      }),
    );
  }

  async close(): Promise<void> {
    for (const a of this.archives.values()) (await a.catch(() => null))?.close();
    this.archives.clear();
  }
}
