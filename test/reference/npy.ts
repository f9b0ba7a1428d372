/**
 * NumPy .npy files (format 1.0, little-endian, C order): how the tests hand arrays to the Python
 * reference scripts and read theirs back.
 */
import { readFileSync, writeFileSync } from 'node:fs';

type Typed = Float32Array | Float64Array | Uint8Array | Int32Array;

const DESCR: Array<[string, new (b: ArrayBuffer, o: number, n: number) => Typed]> = [
  ['<f4', Float32Array],
  ['<f8', Float64Array],
  ['|u1', Uint8Array],
  ['<i4', Int32Array],
];

/** An array as NumPy holds it. */
export interface NdArray<T extends Typed = Typed> {
  data: T;
  shape: number[];
}

export function writeNpy(file: string, data: Typed, shape: readonly number[]): void {
  const descr = DESCR.find(([, ctor]) => data instanceof ctor)![0];
  if (shape.reduce((a, b) => a * b, 1) !== data.length) throw new Error(`${file}: shape [${shape}] does not hold ${data.length} values`);
  const dims = shape.length === 1 ? `${shape[0]},` : shape.join(', ');
  let header = `{'descr': '${descr}', 'fortran_order': False, 'shape': (${dims}), }`;
  // Magic (6) + version (2) + length (2) + header + '\n', padded to a multiple of 64.
  header = header.padEnd(Math.ceil((10 + header.length + 1) / 64) * 64 - 10 - 1, ' ') + '\n';
  const head = Buffer.alloc(10);
  head.write('\x93NUMPY', 0, 'latin1');
  head[6] = 1;
  head[7] = 0;
  head.writeUInt16LE(header.length, 8);
  writeFileSync(file, Buffer.concat([head, Buffer.from(header, 'latin1'), Buffer.from(data.buffer, data.byteOffset, data.byteLength)]));
}

export function readNpy(file: string): NdArray {
  const b = readFileSync(file);
  if (b.toString('latin1', 0, 6) !== '\x93NUMPY') throw new Error(`${file}: not a .npy file`);
  const major = b[6]!;
  const len = major === 1 ? b.readUInt16LE(8) : b.readUInt32LE(8);
  const start = major === 1 ? 10 : 12;
  const header = b.toString('latin1', start, start + len);
  const descr = /'descr':\s*'([^']+)'/.exec(header)?.[1];
  const shape = (/'shape':\s*\(([^)]*)\)/.exec(header)?.[1] ?? '').split(',').map((s) => s.trim()).filter(Boolean).map(Number);
  if (/'fortran_order':\s*True/.test(header)) throw new Error(`${file}: Fortran order is not read`);
  const entry = DESCR.find(([d]) => d === descr);
  if (!entry) throw new Error(`${file}: dtype ${descr} is not read`);
  const count = shape.reduce((a, c) => a * c, 1);
  const body = b.subarray(start + len);
  const copy = new ArrayBuffer(body.byteLength);
  new Uint8Array(copy).set(body);
  return { data: new entry[1](copy, 0, count), shape };
}
