import os from 'node:os';
import path from 'node:path';

/** The cache root: `$XFER_CACHE_DIR`, or `~/.cache/xfer`. */
export function xferCacheDir(): string {
  const env = process.env['XFER_CACHE_DIR'];
  return env && env.length > 0 ? path.resolve(env) : path.join(os.homedir(), '.cache', 'xfer');
}
