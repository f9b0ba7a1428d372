/**
 * The package's errors, each with a `code`: DecodeError (an image) and
 * CudaUnavailableError (a Loader's device). Invalid options throw plain
 * TypeError / RangeError.
 */

/**
 * Why an image could not be decoded:
 * - `EMPTY`: zero bytes;
 * - `TRUNCATED`: the data ends early (a partial download or copy);
 * - `UNSUPPORTED_FORMAT`: not a JPEG or PNG (GIF, BMP, WebP, random bytes...);
 * - `CORRUPT`: a JPEG/PNG whose data cannot be decoded;
 * - `TOO_LARGE`: the header declares more pixels than `maxPixels`, a JPEG has more than 500 scans
 *   (a progressive bomb), or memory ran out;
 * - `IO`: the file could not be read.
 */
export type DecodeErrorCode = 'EMPTY' | 'TRUNCATED' | 'UNSUPPORTED_FORMAT' | 'CORRUPT' | 'TOO_LARGE' | 'IO';

const CODES: ReadonlySet<string> = new Set<DecodeErrorCode>([
  'EMPTY',
  'TRUNCATED',
  'UNSUPPORTED_FORMAT',
  'CORRUPT',
  'TOO_LARGE',
  'IO',
]);

/** Narrows a code coming from the addon; anything unexpected reads as CORRUPT. */
export function toDecodeErrorCode(code: string): DecodeErrorCode {
  return CODES.has(code) ? (code as DecodeErrorCode) : 'CORRUPT';
}

/** A failed decode. The message names the source and the reason. */
/**
 * A source that was left out instead of thrown for: a failed image of decodeResizeBatch, or one a
 * Loader skipped (onError 'skip'). The same failure a DecodeError reports, as data.
 */
export interface SkippedSource {
  /** The path, `<buffer #i>`, or the byte range's name. */
  source: string;
  /** Position in the `sources` array. */
  index: number;
  code: DecodeErrorCode;
  /** `CODE: message`, without the source. */
  reason: string;
}

export class DecodeError extends Error {
  /** What kind of failure this was. */
  readonly code: DecodeErrorCode;
  /** The file path, or `<buffer>` / `<buffer #i>` for in-memory bytes. */
  readonly source: string;

  constructor(code: DecodeErrorCode, source: string, reason: string) {
    super(`${source}: ${reason}`);
    this.name = 'DecodeError';
    this.code = code;
    this.source = source;
  }
}

/** Thrown by `new Loader({ device: 'cuda' })` when no CUDA device can be used; `reason` says why. */
export class CudaUnavailableError extends Error {
  readonly code = 'CUDA_UNAVAILABLE';
  readonly reason: string;
  constructor(reason: string) {
    super(reason);
    this.name = 'CudaUnavailableError';
    this.reason = reason;
  }
}
