import { createHash } from 'node:crypto';
import { createReadStream, promises as fs } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { xferCacheDir } from '../fs/cache_dir.js';
import { download } from '../datasets/download.js';

/** Keras' ImageNet weights for Xception without its classifier. */
export const XCEPTION_NOTOP = {
  fileName: 'xception_weights_tf_dim_ordering_tf_kernels_notop.h5',
  md5: 'b0042744bf5b25fce3cb969f33bebb97',
  url: 'https://storage.googleapis.com/tensorflow/keras-applications/xception/xception_weights_tf_dim_ordering_tf_kernels_notop.h5',
} as const;

/** Where the weights are looked for, in order: Keras' own cache, then xfer's. */
export function weightsSearchDirs(): string[] {
  return [path.join(os.homedir(), '.keras', 'models'), path.join(xferCacheDir(), 'weights')];
}

async function md5Of(file: string): Promise<string> {
  const h = createHash('md5');
  for await (const c of createReadStream(file)) h.update(c as Buffer);
  return h.digest('hex');
}

/**
 * The path of Keras' Xception ImageNet weights: found in ~/.keras/models/ or the xfer cache and
 * checked against Keras' MD5, or downloaded into the xfer cache. Offline, the error says where to
 * put the file.
 */
export async function imagenetXceptionWeights(onProgress?: (received: number, total: number | undefined) => void): Promise<string> {
  for (const dir of weightsSearchDirs()) {
    const file = path.join(dir, XCEPTION_NOTOP.fileName);
    if (!(await fs.stat(file).catch(() => null))) continue;
    const md5 = await md5Of(file);
    if (md5 !== XCEPTION_NOTOP.md5) throw new Error(`${file}: MD5 ${md5} is not Keras' ${XCEPTION_NOTOP.md5}; remove it or replace it with the real file`);
    return file;
  }
  const dest = path.join(weightsSearchDirs()[1]!, XCEPTION_NOTOP.fileName);
  try {
    await download(XCEPTION_NOTOP.url, dest, { onProgress });
  } catch (e) {
    throw new Error(`ImageNet weights for Xception are not on this machine and could not be downloaded (${(e as Error).message}). Put ${XCEPTION_NOTOP.fileName} in ${weightsSearchDirs().join(' or ')}.`);
  }
  const md5 = await md5Of(dest);
  if (md5 !== XCEPTION_NOTOP.md5) {
    await fs.rm(dest);
    throw new Error(`downloaded ${XCEPTION_NOTOP.url} but its MD5 ${md5} is not Keras' ${XCEPTION_NOTOP.md5}; the file was removed`);
  }
  return dest;
}
