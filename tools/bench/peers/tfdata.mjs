// tf.data peer (tfdata.py): the recipe's Keras input pipeline, the reference xfer's Loader is held
// against. It runs with --reference-python (the reference venv's TensorFlow and Keras), not with
// --python, whose apt packages the opencv and pillow peers need. TensorFlow sizes its thread pools
// once per process, so there is one child per thread count.
import { fileURLToPath } from 'node:url';
import { runJsonChild } from '../lib/child.mjs';
import { childSpec, rowsFromChild } from '../lib/peer.mjs';
import { errorRow, reason } from '../lib/row.mjs';

const SCRIPT = fileURLToPath(new URL('./tfdata.py', import.meta.url));

/** @param {import('../lib/peer.mjs').PeerContext} ctx @returns {Promise<import('../lib/peer.mjs').PeerResult>} */
export async function measure(ctx) {
  const python = ctx.options.referencePython;
  if (!python) {
    return { rows: [errorRow('tfdata', 'no reference venv: make it with bash tools/reference/venv.sh, or pass --reference-python')], versions: {} };
  }
  // no __pycache__ next to the scripts (untracked files in the repo); TensorFlow's C++ info lines
  // would push the Python error out of the stderr tail that a failed row shows
  const env = { ...process.env, PYTHONDONTWRITEBYTECODE: '1', KERAS_BACKEND: 'tensorflow', TF_CPP_MIN_LOG_LEVEL: '2' };
  const rows = [];
  /** @type {Record<string, string>} */
  let versions = {};
  for (const threads of ctx.options.threads) {
    ctx.log(`tfdata: cold and cached epoch, threads ${threads} (${python})`);
    try {
      const out = await runJsonChild(python, [SCRIPT], childSpec(ctx, [threads]), { env });
      rows.push(...rowsFromChild('tfdata', out.rows));
      versions = out.versions;
    } catch (e) {
      rows.push(errorRow('tfdata', `tfdata failed: ${reason(e)}`, threads));
    }
  }
  return { rows, versions };
}
