// Loads the benchmark corpus into memory once, so that disk I/O is never part of a timing.
import { readdir, readFile } from 'node:fs/promises';
import path from 'node:path';

/**
 * @typedef {object} Corpus
 * @property {string} dir
 * @property {string[]} files     names relative to dir, in the order every peer uses
 * @property {Uint8Array[]} buffers
 * @property {number} bytes       total encoded size
 */

/**
 * Sorted *.jpg / *.jpeg names of a folder. The file list (not just the folder) is handed to the
 * child-process peers, so all peers work on exactly the same images in the same order.
 * @param {string} dir @param {number} limit
 */
export async function listCorpus(dir, limit) {
  let names;
  try {
    names = await readdir(dir);
  } catch (e) {
    throw new Error(`cannot read corpus folder ${dir}: ${/** @type {Error} */ (e).message}`);
  }
  const jpegs = names.filter((n) => /\.jpe?g$/i.test(n)).sort();
  if (jpegs.length === 0) throw new Error(`no .jpg files in ${dir}`);
  return jpegs.slice(0, Math.min(limit, jpegs.length));
}

/** @param {string} dir @param {number} limit @returns {Promise<Corpus>} */
export async function loadCorpus(dir, limit) {
  const files = await listCorpus(dir, limit);
  const buffers = await Promise.all(files.map(async (f) => new Uint8Array(await readFile(path.join(dir, f)))));
  return { dir, files, buffers, bytes: buffers.reduce((s, b) => s + b.byteLength, 0) };
}
