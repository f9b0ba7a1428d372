// Output verification: every peer must hand back one 150x150x3 uint8 image per input.
// A peer that silently does less (grayscale, wrong size, skipped images) is caught here, and the
// mean of the first image lets the report spot a peer whose pixels are off (wrong channel order
// is invisible to a mean, but garbage or a black image is not).

export const OUT_W = 150;
export const OUT_H = 150;
export const OUT_C = 3;
export const OUT_BYTES = OUT_W * OUT_H * OUT_C;

/**
 * @typedef {object} OutputCheck
 * @property {boolean} ok
 * @property {number} count        images produced
 * @property {number} expected     images asked for
 * @property {number} badSize      outputs whose byte length is not 150*150*3
 * @property {number} firstMean    mean byte value of the first output (cross-peer sanity value)
 * @property {string} [problem]
 */

/** @param {Uint8Array} a */
function mean(a) {
  let s = 0;
  for (let i = 0; i < a.length; i++) s += a[i];
  return a.length ? s / a.length : NaN;
}

/**
 * @param {ReadonlyArray<Uint8Array>} outputs  one buffer per image
 * @param {number} expected
 * @returns {OutputCheck}
 */
export function checkOutputs(outputs, expected) {
  const badSize = outputs.filter((o) => !(o instanceof Uint8Array) || o.byteLength !== OUT_BYTES).length;
  const count = outputs.length;
  const firstMean = count ? Math.round(mean(outputs[0]) * 100) / 100 : NaN;
  /** @type {OutputCheck} */
  const check = { ok: count === expected && badSize === 0, count, expected, badSize, firstMean };
  if (count !== expected) check.problem = `${count} outputs for ${expected} images`;
  else if (badSize) check.problem = `${badSize} outputs are not ${OUT_W}x${OUT_H}x${OUT_C} uint8`;
  return check;
}

/**
 * Same check for one contiguous batch buffer (count images of OUT_BYTES each).
 * @param {Uint8Array} data @param {number} count
 * @returns {Uint8Array[]}  zero-copy views, one per image
 */
export function splitBatch(data, count) {
  const views = [];
  for (let i = 0; i < count; i++) views.push(data.subarray(i * OUT_BYTES, (i + 1) * OUT_BYTES));
  return views;
}
