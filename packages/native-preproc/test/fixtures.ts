/** Hand-made and patched byte streams for the error tests. */
import { crc32 } from './helpers.js';

/** Offset of the first SOFn marker (FFC0..FFCF except C4/C8/CC) found by walking the segments. */
export function findSof(jpeg: Uint8Array): number {
  let pos = 2;
  while (pos + 4 <= jpeg.length) {
    if (jpeg[pos] !== 0xff) throw new Error(`no marker at ${pos}`);
    const marker = jpeg[pos + 1]!;
    if (marker >= 0xc0 && marker <= 0xcf && marker !== 0xc4 && marker !== 0xc8 && marker !== 0xcc) return pos;
    const length = (jpeg[pos + 2]! << 8) | jpeg[pos + 3]!;
    pos += 2 + length;
  }
  throw new Error('no SOF marker');
}

/** A copy of `jpeg` whose frame header declares width x height (the scan data is untouched). */
export function withJpegDims(jpeg: Uint8Array, width: number, height: number): Uint8Array {
  const out = Uint8Array.from(jpeg);
  const sof = findSof(out);
  out[sof + 5] = height >> 8;
  out[sof + 6] = height & 0xff;
  out[sof + 7] = width >> 8;
  out[sof + 8] = width & 0xff;
  return out;
}

/** A copy of `jpeg` claiming 12-bit samples, which an 8-bit libjpeg-turbo refuses. */
export function withJpegPrecision12(jpeg: Uint8Array): Uint8Array {
  const out = Uint8Array.from(jpeg);
  out[findSof(out) + 4] = 12;
  return out;
}

/** A copy of `png` whose IHDR declares width x height, with a valid CRC. */
export function withPngDims(png: Uint8Array, width: number, height: number): Uint8Array {
  const out = Uint8Array.from(png);
  const view = new DataView(out.buffer);
  if (String.fromCharCode(...out.subarray(12, 16)) !== 'IHDR') throw new Error('IHDR not first');
  view.setUint32(16, width);
  view.setUint32(20, height);
  view.setUint32(29, crc32(out.subarray(12, 29)));
  return out;
}

/** A 2x2 24-bit BMP. */
export function bmp2x2(): Uint8Array {
  const rowBytes = 8; // 2 px * 3 bytes, padded to 4
  const size = 54 + rowBytes * 2;
  const b = new Uint8Array(size);
  const v = new DataView(b.buffer);
  b[0] = 0x42; // 'B'
  b[1] = 0x4d; // 'M'
  v.setUint32(2, size, true);
  v.setUint32(10, 54, true);
  v.setUint32(14, 40, true);
  v.setInt32(18, 2, true);
  v.setInt32(22, 2, true);
  v.setUint16(26, 1, true);
  v.setUint16(28, 24, true);
  v.setUint32(34, rowBytes * 2, true);
  b.fill(0x80, 54);
  return b;
}

/** `jpeg` with junk bytes before its EOI: libjpeg's "Corrupt JPEG data: N extraneous bytes" warning. */
export function withExtraneousBytes(jpeg: Uint8Array): Uint8Array {
  const n = jpeg.length;
  if (jpeg[n - 2] !== 0xff || jpeg[n - 1] !== 0xd9) throw new Error('JPEG does not end with EOI');
  // More than the Huffman decoder's read-ahead, which would swallow a few
  // bytes silently.
  const junk = 32;
  const out = new Uint8Array(n + junk);
  out.set(jpeg.subarray(0, n - 2));
  out.fill(0x12, n - 2, n - 2 + junk);
  out.set([0xff, 0xd9], n - 2 + junk);
  return out;
}
