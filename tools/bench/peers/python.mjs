// Runs a Python peer (opencv.py, pillow.py) with the interpreter from --python. Both need apt's
// python3-opencv / python3-pil, which only /usr/bin/python3 sees (a pyenv python3 on PATH does not).
import { fileURLToPath } from 'node:url';
import { runJsonChild } from '../lib/child.mjs';
import { childSpec, rowsFromChild } from '../lib/peer.mjs';
import { errorRow, reason } from '../lib/row.mjs';

/**
 * @param {string} peer   row name
 * @param {string} script file next to this one
 * @returns {(ctx: import('../lib/peer.mjs').PeerContext) => Promise<import('../lib/peer.mjs').PeerResult>}
 */
export function pythonPeer(peer, script) {
  const file = fileURLToPath(new URL(`./${script}`, import.meta.url));
  return async (ctx) => {
    ctx.log(`${peer}: threads ${ctx.options.threads.join(',')} (python)`);
    try {
      // no __pycache__ next to the scripts: it would show up as untracked files in the repo
      const env = { ...process.env, PYTHONDONTWRITEBYTECODE: '1' };
      const out = await runJsonChild(ctx.options.python, [file], childSpec(ctx, ctx.options.threads), { env });
      return { rows: rowsFromChild(peer, out.rows), versions: out.versions };
    } catch (e) {
      return { rows: [errorRow(peer, `${peer} failed: ${reason(e)}`)], versions: {} };
    }
  };
}
