import { promises as fs } from 'node:fs';
import yauzl from 'yauzl';
import type { Entry, ZipFile } from 'yauzl';
import { zipEntryName, type ExampleSource } from './example.js';

/** Limits that keep a hostile archive from exhausting memory. */
export interface ZipLimits {
  /** Largest uncompressed entry read, in bytes (default 64 MiB: far above any photo). */
  maxEntryBytes: number;
  /** Largest uncompressed/compressed ratio for entries over 1 MiB (default 200). */
  maxRatio: number;
}

const DEFAULT_LIMITS: ZipLimits = { maxEntryBytes: 64 << 20, maxRatio: 200 };


function isSymlink(e: Entry): boolean {
  // Unix mode bits live in the high 16 bits of the external attributes of zips made on Unix.
  const mode = (e.externalFileAttributes >>> 16) & 0xffff;
  return (mode & 0xf000) === 0xa000;
}

/**
 * A zip archive read in place, without extracting. Entry names are validated by yauzl (no
 * absolute paths, no `..`); symbolic links and entries over the size or ratio limits are refused
 * when read.
 */
export class ZipArchive {
  /** Opened on the first source(): local headers are read through it. */
  private handle: Promise<fs.FileHandle> | undefined;

  private constructor(
    readonly path: string,
    private readonly zip: ZipFile,
    readonly entries: ReadonlyMap<string, Entry>,
    private readonly limits: ZipLimits,
  ) {}

  static open(path: string, limits: Partial<ZipLimits> = {}): Promise<ZipArchive> {
    return new Promise((resolve, reject) => {
      yauzl.open(path, { lazyEntries: true, autoClose: false, validateEntrySizes: true }, (err, zip) => {
        if (err || !zip) return reject(new Error(`${path}: cannot read the zip archive (${err?.message ?? 'unknown error'})`));
        const entries = new Map<string, Entry>();
        zip.on('entry', (e: Entry) => {
          if (!e.fileName.endsWith('/')) entries.set(e.fileName, e);
          zip.readEntry();
        });
        zip.on('end', () => resolve(new ZipArchive(path, zip, entries, { ...DEFAULT_LIMITS, ...limits })));
        zip.on('error', (e: Error) => reject(new Error(`${path}: corrupt zip archive (${e.message})`)));
        zip.readEntry();
      });
    });
  }

  async close(): Promise<void> {
    this.zip.close();
    if (this.handle) await (await this.handle).close();
  }

  private name(entry: string): string {
    return zipEntryName(this.path, entry);
  }

  private check(name: string): Entry {
    const e = this.entries.get(name);
    if (!e) throw new Error(`${this.name(name)}: no such entry`);
    if (isSymlink(e)) throw new Error(`${this.name(name)}: refused, the entry is a symbolic link`);
    if (e.uncompressedSize > this.limits.maxEntryBytes) {
      throw new Error(`${this.name(name)}: refused, ${e.uncompressedSize} bytes uncompressed is over the limit of ${this.limits.maxEntryBytes}`);
    }
    if (e.uncompressedSize > 1 << 20 && e.uncompressedSize > this.limits.maxRatio * Math.max(e.compressedSize, 1)) {
      throw new Error(`${this.name(name)}: refused, compression ratio ${Math.round(e.uncompressedSize / Math.max(e.compressedSize, 1))}:1 is over the limit of ${this.limits.maxRatio}:1`);
    }
    return e;
  }

  /**
   * The entry as an example source: where its data lies in the archive file, for the native
   * loader to read and inflate there. The data starts after the entry's local header, whose name
   * and extra field lengths may differ from the central directory's.
   */
  async source(name: string): Promise<ExampleSource> {
    const e = this.check(name);
    if (e.compressionMethod !== 0 && e.compressionMethod !== 8) {
      throw new Error(`${this.name(name)}: unsupported compression method ${e.compressionMethod} (only stored and deflate)`);
    }
    this.handle ??= fs.open(this.path, 'r');
    const header = Buffer.alloc(30);
    await (await this.handle).read(header, 0, 30, e.relativeOffsetOfLocalHeader);
    if (header.readUInt32LE(0) !== 0x04034b50) throw new Error(`${this.name(name)}: corrupt zip (no local header)`);
    const offset = e.relativeOffsetOfLocalHeader + 30 + header.readUInt16LE(26) + header.readUInt16LE(28);
    return {
      kind: 'zip',
      archive: this.path,
      entry: name,
      range: { offset, length: e.compressedSize, deflated: e.compressionMethod === 8, size: e.uncompressedSize },
    };
  }

  /** Reads up to `limit` decompressed bytes of an entry (all of it by default). */
  read(name: string, limit = Infinity): Promise<Uint8Array> {
    let entry: Entry;
    try {
      entry = this.check(name);
    } catch (e) {
      return Promise.reject(e);
    }
    return new Promise((resolve, reject) => {
      this.zip.openReadStream(entry, (err, stream) => {
        if (err || !stream) return reject(new Error(`${this.name(name)}: ${err?.message ?? 'cannot open the entry'}`));
        const chunks: Buffer[] = [];
        let n = 0;
        let done = false;
        const finish = () => {
          if (done) return;
          done = true;
          const all = Buffer.concat(chunks, Math.min(n, limit));
          resolve(new Uint8Array(all.buffer, all.byteOffset, all.byteLength));
        };
        stream.on('data', (c: Buffer) => {
          chunks.push(c);
          n += c.length;
          if (n >= limit) {
            finish();
            stream.destroy();
          }
        });
        stream.on('end', finish);
        stream.on('error', (e: Error) => {
          if (!done) {
            done = true;
            reject(new Error(`${this.name(name)}: ${e.message}`));
          }
        });
      });
    });
  }
}
