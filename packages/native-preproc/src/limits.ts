/**
 * Every limit the package puts on its options, in one place. The addon
 * re-checks only what keeps its memory safe (a size that overflows, a buffer
 * of the wrong length); what is accepted is decided here.
 */

/** Largest accepted output side, per dimension. */
export const MAX_SIDE = 16384;
/** Upper bound on worker threads for one batch or loader. */
export const MAX_THREADS = 256;
/** Default decompression-bomb guard: 100 megapixels. */
export const DEFAULT_MAX_PIXELS = 100_000_000;
/** Largest Loader batchSize. */
export const MAX_BATCH_SIZE = 1 << 20;
/** Most batches a Loader prepares ahead. */
export const MAX_PREFETCH = 1024;
/** Largest Loader batch slot, in bytes: batchSize x height x width x 3 x sample size. */
export const MAX_SLOT_BYTES = 2 ** 32;
/** Most sources of one Loader (or one epochOrder): batches carry int32 source indices. */
export const MAX_SOURCES = 0x7fffffff;
/** Largest side of an image given to augment(). */
export const MAX_IMAGE_SIDE = 65535;
