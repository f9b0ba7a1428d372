// Timing policy shared by the in-process peers (the Python peers mirror it in bench_common.py):
// one untimed warm-up pass over a few images (JIT, thread pools, lazy library init), then R
// timed passes over the whole set; the outputs of the last pass are kept for verification.

export const WARMUP_IMAGES = 32;

/**
 * @template T
 * @param {(images: Uint8Array[]) => Promise<T>} run   processes every image it is given, returns the outputs
 * @param {Uint8Array[]} images
 * @param {number} repeat
 * @returns {Promise<{ seconds: number[], outputs: T }>}
 */
export async function timeRuns(run, images, repeat) {
  await run(images.slice(0, WARMUP_IMAGES));
  /** @type {number[]} */
  const seconds = [];
  /** @type {T | undefined} */
  let outputs;
  for (let r = 0; r < repeat; r++) {
    outputs = undefined; // let the previous pass's outputs be collected before timing the next one
    const t0 = process.hrtime.bigint();
    outputs = await run(images);
    seconds.push(Number(process.hrtime.bigint() - t0) / 1e9);
  }
  return { seconds, outputs: /** @type {T} */ (outputs) };
}

/**
 * Keeps `inflight` calls of `one` running at once over `items`, results in input order.
 * This is how an async API (sharp, the xfer engine) is fed at a given queue depth.
 * @template I, O
 * @param {ReadonlyArray<I>} items @param {number} inflight @param {(item: I) => Promise<O>} one
 * @returns {Promise<O[]>}
 */
export async function mapInflight(items, inflight, one) {
  /** @type {O[]} */
  const out = new Array(items.length);
  let next = 0;
  async function lane() {
    while (next < items.length) {
      const i = next++;
      out[i] = await one(items[i]);
    }
  }
  await Promise.all(Array.from({ length: Math.min(inflight, items.length) }, lane));
  return out;
}
