// Pure-JavaScript peer: jpeg-js decode + tfjs resizeBilinear on the cpu backend. This is what a
// TypeScript project gets without any native code. It is single-threaded (one JS thread), so it
// only has a threads=1 row, and it is slow (~60 img/s), so it runs on --jpegjs-limit images.
import { checkOutputs } from '../lib/check.mjs';
import { makeRow, errorRow, reason } from '../lib/row.mjs';
import { timeRuns } from '../lib/timing.mjs';
import { readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';

/** Installed version of a package, read from its package.json. @param {string} name */
async function versionOf(name) {
  try {
    const require = createRequire(import.meta.url);
    return JSON.parse(await readFile(require.resolve(`${name}/package.json`), 'utf8')).version;
  } catch {
    return 'unknown';
  }
}

/** @param {import('../lib/peer.mjs').PeerContext} ctx @returns {Promise<import('../lib/peer.mjs').PeerResult>} */
export async function measure(ctx) {
  if (!ctx.options.threads.includes(1)) {
    return { rows: [errorRow('jpegjs', 'single-threaded: measured only when --threads includes 1')], versions: {} };
  }
  let jpeg, tf;
  try {
    jpeg = (await import('jpeg-js')).default;
    tf = await import('@tensorflow/tfjs-core');
    await import('@tensorflow/tfjs-backend-cpu');
    tf.enableProdMode(); // silences the "running TensorFlow.js in Node.js" banner
    await tf.setBackend('cpu');
    await tf.ready();
  } catch (e) {
    return { rows: [errorRow('jpegjs', `jpeg-js/tfjs not available: ${reason(e)}`, 1)], versions: {} };
  }

  /** @param {Uint8Array} buf */
  const decodeResize = (buf) => {
    const { width, height, data } = jpeg.decode(buf, { useTArray: true, formatAsRGBA: false }); // RGB, gray expanded
    const out = tf.tidy(() => {
      const img = tf.tensor3d(data, [height, width, 3], 'int32');
      // halfPixelCenters=true is TF2's tf.image.resize bilinear (what Keras uses)
      const resized = tf.image.resizeBilinear(img, [150, 150], false, true);
      return tf.cast(tf.clipByValue(tf.round(resized), 0, 255), 'int32'); // functional ops: tfjs-core alone has no chained ops
    });
    const u8 = Uint8Array.from(/** @type {Int32Array} */ (out.dataSync()));
    out.dispose();
    return u8;
  };
  const run = async (/** @type {Uint8Array[]} */ imgs) => imgs.map(decodeResize);

  const images = ctx.corpus.buffers.slice(0, ctx.options.jpegjsLimit);
  ctx.log(`jpegjs: ${images.length} images, threads 1`);
  const { seconds, outputs } = await timeRuns(run, images, ctx.options.repeat);
  const capped = images.length < ctx.corpus.buffers.length;
  const row = makeRow({
    peer: 'jpegjs',
    setting: 'jpeg-js + tfjs-cpu resizeBilinear',
    threads: 1,
    images: images.length,
    seconds,
    check: checkOutputs(outputs, images.length),
    note: capped ? `capped at ${images.length} images (--jpegjs-limit)` : undefined,
  });
  return {
    rows: [row],
    versions: { 'jpeg-js': await versionOf('jpeg-js'), 'tfjs-core': tf.version_core },
  };
}
