/** One labelled image of a dataset. It holds no pixels: `source` is an absolute file path. */
export interface Example {
  source: string;
  /** Integer class index into the dataset's `classNames`. */
  label: number;
}

/** A file a dataset reader left out, and why (e.g. "no JFIF marker in the first 512 bytes"). */
export interface SkippedFile {
  source: string;
  reason: string;
}

/** What a dataset reader returns: every kept example in the dataset's canonical order. */
export interface DatasetListing {
  classNames: string[];
  examples: Example[];
  skipped: SkippedFile[];
}
