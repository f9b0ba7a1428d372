/**
 * Byte-level edits of encoded JPEGs, for the header layouts the real cats_vs_dogs archive has and
 * sharp does not write: sharp's baseline JPEGs carry no JFIF APP0, which TFDS's filter requires
 * within the first 512 bytes, and it never writes a file cut short.
 */

/** A JFIF 1.01 APP0 segment: no units, 1:1 density, no thumbnail. */
const JFIF_APP0 = Buffer.from([
  0xff, 0xe0, 0x00, 0x10, 0x4a, 0x46, 0x49, 0x46, 0x00, 0x01, 0x01, 0x00, 0x00, 0x01, 0x00, 0x01, 0x00, 0x00,
]);

/** Inserts a JFIF APP0 segment at byte `at` (default: right after SOI). */
export function insertJfifApp0(jpeg: Buffer, at = 2): Buffer {
  if (jpeg[0] !== 0xff || jpeg[1] !== 0xd8) throw new Error('not a JPEG (no SOI marker)');
  return Buffer.concat([jpeg.subarray(0, at), JFIF_APP0, jpeg.subarray(at)]);
}

/**
 * Inserts a JFIF APP0 segment after the segment that follows SOI (sharp's Exif APP1), so that a
 * large Exif block pushes "JFIF" as far from the start as it is long.
 */
export function insertJfifApp0AfterFirstSegment(jpeg: Buffer): Buffer {
  return insertJfifApp0(jpeg, 4 + ((jpeg[4]! << 8) | jpeg[5]!));
}

/** Offset of the first SOS (start of scan) marker of a JPEG, or -1. */
export function findStartOfScan(jpeg: Uint8Array): number {
  let i = 2;
  while (i + 3 < jpeg.length) {
    if (jpeg[i] !== 0xff) return -1;
    const marker = jpeg[i + 1]!;
    if (marker === 0xda) return i;
    if (marker === 0xff) {
      i++; // fill byte
      continue;
    }
    i += 2 + ((jpeg[i + 2]! << 8) | jpeg[i + 3]!);
  }
  return -1;
}

/**
 * The JPEG cut halfway through its scan data: every header parses, so only a decoder (not a
 * header check) finds it broken.
 */
export function truncateInScan(jpeg: Buffer): Buffer {
  const sos = findStartOfScan(jpeg);
  return jpeg.subarray(0, sos + Math.floor((jpeg.length - sos) / 2));
}
