/**
 * Where an example's encoded bytes are: a file, or an entry of a zip archive read in place. A zip
 * entry's byte range is found once, while the dataset is listed, so loading never re-opens the
 * archive's directory.
 */
export type ExampleSource =
  | { kind: 'file'; path: string }
  | {
      kind: 'zip';
      archive: string;
      entry: string;
      /** The entry's data in the archive: raw DEFLATE of `length` bytes inflating to `size`, or stored. */
      range: { offset: number; length: number; deflated: boolean; size: number };
    };

/** One labelled image of a dataset. It holds no pixels. */
export interface Example {
  source: ExampleSource;
  /** Integer class index into the dataset's `classNames`. */
  label: number;
}

/**
 * An image that was left out, and why: by a dataset's rules (e.g. "no JFIF marker in the first
 * 512 bytes"), because it could not be read or decoded, or because prediction failed on it.
 * `source` is its name as users see it ({@link sourceName}).
 */
export interface SkippedImage {
  source: string;
  reason: string;
}

/** What a dataset reader returns: every kept example in the dataset's canonical order. */
export interface DatasetListing {
  classNames: string[];
  examples: Example[];
  skipped: SkippedImage[];
}

/** A file source. */
export function fileSource(path: string): ExampleSource {
  return { kind: 'file', path };
}

/** How messages and logs name a zip entry: `<archive>!/<entry>`. */
export function zipEntryName(archive: string, entry: string): string {
  return `${archive}!/${entry}`;
}

/** How messages and logs name a source: the file path, or {@link zipEntryName}. */
export function sourceName(source: ExampleSource): string {
  return source.kind === 'file' ? source.path : zipEntryName(source.archive, source.entry);
}
